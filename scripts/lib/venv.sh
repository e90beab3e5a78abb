# Sourced by scripts/test and scripts/demo: make .venv (python3 -m venv) and install weituo with its
# dev extras, redoing the install only when pyproject.toml changes. Leaves $venv set.
venv=.venv
if [[ ! -x "$venv/bin/python" ]]; then
    echo "creating $venv with $(command -v python3) ($(python3 --version 2>&1))" >&2
    if ! python3 -m venv --clear "$venv"; then
        echo "'python3 -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 1
    fi
fi
hash=$("$venv/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' pyproject.toml)
stamp="$venv/.installed-$hash"
if [[ ! -e "$stamp" ]]; then
    echo "installing weituo and its dependencies into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
