# The libFuzzer targets in regress/fuzz (fuzz_NAME, seed corpus
# corpus/NAME), sourced by run.sh and long.sh.
fuzz_targets="imsg pkt cmdmon ntske ntsef cookie logrec ntsdump keyfile conf ctl control monitor refshm refsock"
