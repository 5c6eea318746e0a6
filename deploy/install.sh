#!/bin/sh
# Installs spdk-agent from its release tarball (npm run release), offline: the agent, its
# production dependencies and the Node.js runtime it was tested with are all in the tarball.
#
#   ./install.sh [--prefix DIR] [--systemd-dir DIR] [--sysconfdir DIR] [--no-systemd] [--create-user]
#
#   --prefix DIR       where the agent goes: DIR/lib/spdk-agent and DIR/bin/spdk-agent (default /usr/local)
#   --systemd-dir DIR  where the unit goes (default /etc/systemd/system)
#   --sysconfdir DIR   where the configuration examples go: DIR/spdk-agent (default /etc)
#   --no-systemd       do not install the unit
#   --create-user      create the system user spdk-agent and the group spdk (the unit runs as them)
#
# Nothing already in DIR/lib/spdk-agent survives a re-install (an upgrade); configuration files
# already in the sysconfdir are never overwritten. Running targets are not touched: restart the
# agent (systemctl restart spdk-agent) to run the new version, it adopts them.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix=/usr/local
systemd_dir=/etc/systemd/system
sysconfdir=/etc
install_unit=yes
create_user=no

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --systemd-dir) systemd_dir=$2; shift 2 ;;
    --systemd-dir=*) systemd_dir=${1#*=}; shift ;;
    --sysconfdir) sysconfdir=$2; shift 2 ;;
    --sysconfdir=*) sysconfdir=${1#*=}; shift ;;
    --no-systemd) install_unit=no; shift ;;
    --create-user) create_user=yes; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

case "$prefix" in /*) ;; *) echo "install.sh: --prefix must be an absolute path, not $prefix" >&2; exit 2 ;; esac

libdir="$prefix/lib/spdk-agent"
bindir="$prefix/bin"

echo "installing spdk-agent $(cat "$here/VERSION") into $libdir"
mkdir -p "$prefix/lib" "$bindir"
rm -rf "$libdir.new"
cp -a "$here/lib/spdk-agent" "$libdir.new"
rm -rf "$libdir"
mv "$libdir.new" "$libdir"

# The commands: the bundled Node.js runs them, found first on PATH so that the simulator's
# `#!/usr/bin/env node` (spdk-sim, for the demo) runs on it too.
for command in spdk-agent spdk-sim; do
  cat > "$bindir/$command.new" <<EOF
#!/bin/sh
# Written by spdk-agent's install.sh: runs $command on the Node.js shipped with it.
PATH="$libdir/node/bin:\$PATH"
export PATH
exec "$libdir/node/bin/node" "$libdir/app/bin/$command" "\$@"
EOF
  chmod 0755 "$bindir/$command.new"
  mv "$bindir/$command.new" "$bindir/$command"
done

mkdir -p "$sysconfdir/spdk-agent"
for example in agent.example.yaml cyborg.conf.example; do
  cp "$libdir/app/config/$example" "$sysconfdir/spdk-agent/$example"
done
if [ ! -e "$sysconfdir/spdk-agent/agent.env" ]; then
  (umask 077 && cp "$libdir/app/deploy/agent.env.example" "$sysconfdir/spdk-agent/agent.env")
fi

if [ "$create_user" = yes ]; then
  getent group spdk >/dev/null 2>&1 || groupadd --system spdk
  getent passwd spdk-agent >/dev/null 2>&1 ||
    useradd --system --gid spdk --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin spdk-agent
  chgrp spdk "$sysconfdir/spdk-agent/agent.env" && chmod 0640 "$sysconfdir/spdk-agent/agent.env"
fi

if [ "$install_unit" = yes ]; then
  mkdir -p "$systemd_dir"
  sed -e "s|@BINDIR@|$bindir|g" -e "s|@LIBDIR@|$libdir/app|g" "$libdir/app/deploy/spdk-agent.service" > "$systemd_dir/spdk-agent.service.new"
  chmod 0644 "$systemd_dir/spdk-agent.service.new"
  mv "$systemd_dir/spdk-agent.service.new" "$systemd_dir/spdk-agent.service"
  echo "unit: $systemd_dir/spdk-agent.service (systemctl daemon-reload; systemctl enable --now spdk-agent)"
fi

echo "done: $bindir/spdk-agent --version"
"$bindir/spdk-agent" --version
