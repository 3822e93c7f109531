#!/usr/bin/env bash
# scripts/peers/cyrus.sh start|stop|status|dir|port imap|pop3|version - a throwaway Cyrus IMAP 3.6
# (Debian 12) on loopback: IMAP 127.0.0.1:${CYRUS_IMAP_PORT:-22143}, POP3 ${CYRUS_POP3_PORT:-22110}.
#
# Users (a private sasldb): alice and bob, password "secret"; admin "cyrus" / "cyrus".
# Mechanisms PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256. Mail is loaded over IMAP
# by load.py (the messages of scripts/peers/messages/), with altnamespace (folders beside INBOX,
# as with Dovecot) and "/" as the separator.
#
# Packages: cyrus-common and sasl2-bin with apt-get; the daemons (cyrus-imapd, cyrus-pop3d)
# declare Conflicts: imap-server with dovecot-imapd, so they are fetched with `apt-get download`
# and unpacked with `dpkg -x` under the state directory instead of installed.
# State: ${PEERS_DIR:-<repo>/target/peers}/cyrus, rebuilt by every start. Stop is by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BASE=${PEERS_DIR:-$REPO/target/peers}
D=$BASE/cyrus
PKG=$BASE/pkg/cyrus
IMAP_PORT=${CYRUS_IMAP_PORT:-22143}
POP3_PORT=${CYRUS_POP3_PORT:-22110}
BIN=/usr/lib/cyrus/bin

pid() { [ -f "$D/master.pid" ] && cat "$D/master.pid"; }
running() { local p; p=$(pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  if [ ! -x "$BIN/master" ] || ! command -v saslpasswd2 >/dev/null; then
    [ "$(id -u)" = 0 ] || { echo "cyrus-common is not installed and we are not root" >&2; exit 2; }
    [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cyrus-common sasl2-bin >/dev/null
  fi
  if [ ! -x "$PKG/root/usr/lib/cyrus/bin/imapd" ]; then
    mkdir -p "$PKG"
    (cd "$PKG" && apt-get download -q cyrus-imapd cyrus-pop3d >/dev/null 2>&1 && for f in *.deb; do dpkg -x "$f" root; done)
  fi
}

start() {
  if running; then echo "$D"; return 0; fi
  install
  local SRV=$PKG/root/usr/lib/cyrus/bin
  rm -rf "$D"
  mkdir -p "$D"/{config/socket,config/proc,config/lock,config/db,config/log,config/sieve,spool}
  chmod 755 "$D"
  cat > "$D/imapd.conf" <<EOF
configdirectory: $D/config
partition-default: $D/spool
sievedir: $D/config/sieve
proc_path: $D/config/proc
mboxname_lockpath: $D/config/lock
lmtpsocket: $D/config/socket/lmtp
idlesocket: $D/config/socket/idle
notifysocket: $D/config/socket/notify
admins: cyrus
allowplaintext: yes
altnamespace: yes
unixhierarchysep: yes
virtdomains: off
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $D/sasldb2
sasl_mech_list: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
specialusealways: yes
imapidlepoll: 1
annotation_allow_undefined: yes
syslog_prefix: mailproto-peers-cyrus
servername: mail.example.test
EOF
  cat > "$D/cyrus.conf" <<EOF
START {
  recover cmd="$BIN/ctl_cyrusdb -C $D/imapd.conf -r"
}
SERVICES {
  imap  cmd="$SRV/imapd -C $D/imapd.conf" listen="127.0.0.1:$IMAP_PORT" prefork=0
  pop3  cmd="$SRV/pop3d -C $D/imapd.conf" listen="127.0.0.1:$POP3_PORT" prefork=0
}
EVENTS {
  checkpoint cmd="$BIN/ctl_cyrusdb -C $D/imapd.conf -c" period=30
}
DAEMON {
  idled cmd="$SRV/idled -C $D/imapd.conf"
}
EOF
  for u in alice bob; do echo secret | saslpasswd2 -f "$D/sasldb2" -u mail.example.test -p -c "$u"; done
  echo cyrus | saslpasswd2 -f "$D/sasldb2" -u mail.example.test -p -c cyrus
  chown -R cyrus:mail "$D/config" "$D/spool" "$D/sasldb2"; chmod 640 "$D/sasldb2"
  "$BIN/master" -C "$D/imapd.conf" -M "$D/cyrus.conf" -p "$D/master.pid" -d
  for _ in $(seq 1 100); do
    if up "$IMAP_PORT" && up "$POP3_PORT"; then
      python3 "$HERE/load.py" "$IMAP_PORT" alice secret --admin cyrus:cyrus --users bob >/dev/null
      echo "$D"; return 0
    fi
    sleep 0.1
  done
  echo "cyrus did not come up" >&2; exit 1
}

stop() {
  running || return 0
  local p; p=$(pid)
  kill "$p" 2>/dev/null || true                # SIGTERM: the master stops its children
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$p" 2>/dev/null; then
    local kids; kids=$(ps -o pid= --ppid "$p" || true)
    kill -KILL "$p" $kids 2>/dev/null || true
  fi
  rm -f "$D/master.pid"
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(pid)) imap 127.0.0.1:$IMAP_PORT pop3 127.0.0.1:$POP3_PORT dir $D"; else echo stopped; exit 3; fi ;;
  dir) echo "$D" ;;
  port) case ${2:-} in imap) echo "$IMAP_PORT" ;; pop3) echo "$POP3_PORT" ;; *) exit 2 ;; esac ;;
  version) echo "Cyrus IMAP $(dpkg-query -W -f '${Version}' cyrus-common 2>/dev/null | cut -d- -f1) (Debian 12 packages), scripts/peers/cyrus.sh" ;;
  *) echo "usage: $0 start|stop|status|dir|port imap|pop3|version" >&2; exit 2 ;;
esac
