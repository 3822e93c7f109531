#!/usr/bin/env bash
# scripts/peers/mailutils.sh start|stop|status|dir|port imap|pop3|version|users - throwaway GNU
# Mailutils 3.15 imap4d and pop3d (Debian 12) on loopback: IMAP 127.0.0.1:${MAILUTILS_IMAP_PORT:-21143},
# POP3 ${MAILUTILS_POP3_PORT:-21110}.
#
# Users alice@example.com and bob@example.com, password "secret", through Mailutils' virtdomain
# module (a passwd(5)-format file per domain, crypt()ed passwords: no system account). alice's
# INBOX is a Maildir holding scripts/peers/messages/; Archive, Sent, ... are sibling Maildirs.
# Packages mailutils-imap4d and mailutils-pop3d (they coexist with Dovecot). State:
# ${PEERS_DIR:-<repo>/target/peers}/mailutils, rebuilt by every start. Stop is by PID.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
D=${PEERS_DIR:-$REPO/target/peers}/mailutils
IMAP_PORT=${MAILUTILS_IMAP_PORT:-21143}
POP3_PORT=${MAILUTILS_POP3_PORT:-21110}

pids() { local f; for f in "$D"/*.pid; do [ -f "$f" ] && { cat "$f" 2>/dev/null; echo; }; done; return 0; }
running() { local p; for p in $(pids); do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  [ -x /usr/sbin/imap4d ] && [ -x /usr/sbin/pop3d ] && /usr/sbin/pop3d --version 2>/dev/null | grep -q Mailutils && return 0
  [ "$(id -u)" = 0 ] || { echo "mailutils is not installed and we are not root" >&2; exit 2; }
  [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mailutils-imap4d mailutils-pop3d >/dev/null
}

mail() {
  local home=$D/home/alice n=0 flags=(S "" FS RS S S "" "" S "" "" "") f ts name box
  for box in INBOX Archive Drafts Sent Trash Junk; do mkdir -p "$home/$box"/{cur,new,tmp}; done
  mkdir -p "$D/home/bob/INBOX"/{cur,new,tmp}
  for f in "$HERE"/messages/*.eml; do
    n=$((n + 1)); ts=$((1700000000 + n * 3600)); name="$ts.M${n}P1.peers:2,${flags[$((n - 1))]}"
    cp "$f" "$home/INBOX/cur/$name"; touch -d "@$ts" "$home/INBOX/cur/$name"
  done
  for f in 01-plain 06-thread-start; do
    n=$((n + 1)); ts=$((1700000000 + n * 3600)); name="$ts.M${n}P1.peers:2,S"
    cp "$HERE/messages/$f.eml" "$home/Archive/cur/$name"; touch -d "@$ts" "$home/Archive/cur/$name"
  done
}

start() {
  if running; then echo "$D"; return 0; fi
  install
  rm -rf "$D"; mkdir -p "$D"/{vdom,home}; chmod 755 "$D"
  local muid mgid hash prog port
  muid=$(id -u nobody); mgid=$(getent group nogroup | cut -d: -f3)
  [ "$(id -u)" = 0 ] || { muid=$(id -u); mgid=$(id -g); }
  hash=$(openssl passwd -6 -salt mailproto secret)
  { echo "alice:$hash:$muid:$mgid:Alice:$D/home/alice:/bin/false"
    echo "bob:$hash:$muid:$mgid:Bob:$D/home/bob:/bin/false"; } > "$D/vdom/example.com"
  mail
  chown -R "$muid:$mgid" "$D/home"
  for prog in imap4d pop3d; do
    port=$([ $prog = imap4d ] && echo "$IMAP_PORT" || echo "$POP3_PORT")
    cat > "$D/$prog.conf" <<EOF
logging { syslog false; };
auth {
  authorization virtdomain;
  authentication generic;
};
virtdomain { passwd-dir "$D/vdom"; };
mailbox { mailbox-type "maildir"; };
mode daemon;
foreground true;
pidfile "$D/$prog.pid";
server 127.0.0.1:$port {
  tls-mode no;
};
EOF
    if [ $prog = pop3d ]; then
      # the default lock directory /var/lock/subsys/mail does not exist: every login would fail
      echo 'mandatory-locking { enable false; };' >> "$D/$prog.conf"
    else
      printf 'namespace personal {\n  prefix "" { directory "$home"; delimiter "/"; mailbox-type "maildir"; };\n};\n' >> "$D/$prog.conf"
    fi
    # the daemon writes its own PID file (pidfile above)
    setsid /usr/sbin/$prog --config-file="$D/$prog.conf" > "$D/$prog.log" 2>&1 < /dev/null &
  done
  for _ in $(seq 1 100); do
    if up "$IMAP_PORT" && up "$POP3_PORT"; then echo "$D"; return 0; fi
    sleep 0.1
  done
  echo "mailutils did not come up" >&2; cat "$D"/*.log >&2; exit 1
}

stop() {
  local p
  for p in $(pids); do
    # each daemon's own connection children first (by parent PID), then the daemon
    kill $(ps -o pid= --ppid "$p" 2>/dev/null) 2>/dev/null || true
    kill "$p" 2>/dev/null || true
  done
  for p in $(pids); do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
  done
  rm -f "$D"/*.pid
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pids $(pids | tr '\n' ' ')) imap 127.0.0.1:$IMAP_PORT pop3 127.0.0.1:$POP3_PORT dir $D"; else echo stopped; exit 3; fi ;;
  dir) echo "$D" ;;
  port) case ${2:-} in imap) echo "$IMAP_PORT" ;; pop3) echo "$POP3_PORT" ;; *) exit 2 ;; esac ;;
  users) echo "alice@example.com bob@example.com" ;;
  version) echo "GNU Mailutils $(dpkg-query -W -f '${Version}' mailutils-imap4d 2>/dev/null | sed 's/^1://; s/-.*//') (Debian 12 packages), scripts/peers/mailutils.sh" ;;
  *) echo "usage: $0 start|stop|status|dir|port imap|pop3|version|users" >&2; exit 2 ;;
esac
