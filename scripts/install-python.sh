#!/usr/bin/env bash
# Makes `import hpo` work for a Python interpreter (default /usr/bin/python3; or a virtual
# environment's, e.g. .venv/bin/python) by putting a hpo.pth file that names this build's
# build/python folder into that interpreter's site-packages. Run scripts/build.sh first.
# Rebuilding updates what the interpreter imports; delete the printed .pth file to undo.
# HPO_BUILD_DIR names another build folder than build/.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-/usr/bin/python3}"
package_dir="${HPO_BUILD_DIR:-$PWD/build}/python"
if ! compgen -G "$package_dir/hpo/_core*.so" >/dev/null; then
  echo "install-python: no built extension in $package_dir/hpo; run scripts/build.sh first" >&2
  exit 1
fi
site=$("$python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
mkdir -p "$site"
echo "$package_dir" >"$site/hpo.pth"
"$python" -c 'import hpo; print("hpo", hpo.__version__, "from", hpo.__file__)'
echo "install-python: wrote $site/hpo.pth"
