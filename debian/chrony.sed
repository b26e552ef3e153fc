# chrony.sed: a chrony.conf made timed's (README.Debian):
#     sed -f /usr/share/timed/chrony.sed /etc/chrony/chrony.conf \
#         > /etc/timed.conf.new
# timed reads chrony's directives as they are.  What changes are the
# paths timed writes: the service may write only /var/lib/timed,
# /var/log/timed and /run/timed (timed.service, ProtectSystem=strict).
# Paths it only reads (keyfile, confdir, sourcedir under /etc/chrony,
# /run/chrony-dhcp) stay.  chrony's user goes: timed has its own,
# _timed, and purging chrony removes _chrony.
1i\
# Made from a chrony.conf by /usr/share/timed/chrony.sed (README.Debian).
s,/var/lib/chrony/chrony\.drift\([[:space:]]\|$\),/var/lib/timed/timed.drift\1,g
s,/var/lib/chrony\(/\|[[:space:]]\|$\),/var/lib/timed\1,g
s,/var/log/chrony\(/\|[[:space:]]\|$\),/var/log/timed\1,g
s,/run/chrony/chronyd\.sock\([[:space:]]\|$\),/run/timed/timed.sock\1,g
s,/var/run/chrony/chronyd\.sock\([[:space:]]\|$\),/run/timed/timed.sock\1,g
s,/run/chrony/chronyd\.pid\([[:space:]]\|$\),/run/timed/timed.pid\1,g
s,/var/run/chrony/chronyd\.pid\([[:space:]]\|$\),/run/timed/timed.pid\1,g
s,/run/chrony\(/\|[[:space:]]\|$\),/run/timed\1,g
/^[[:space:]]*user[[:space:]][[:space:]]*_chrony[[:space:]]*$/d
