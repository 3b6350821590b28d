# The Python package (python/secprov), installed by `make install`:
#   $(PYTHON_SITEDIR)/secprov/   the package, plus _install.py recording
#                                where libsecprov.so.0 was installed
# PYTHON_SITEDIR defaults to where Debian's python3 looks for that PREFIX:
# /usr/lib/python3/dist-packages for PREFIX=/usr,
# /usr/local/lib/python3.X/dist-packages for PREFIX=/usr/local (X from
# $(PYTHON), when it runs here), PREFIX/lib/python3/dist-packages otherwise
# (add it to an interpreter with a .pth file or PYTHONPATH: docs/python.md).
PYTHON ?= /usr/bin/python3
PY_SOURCES := $(wildcard python/secprov/*.py) python/secprov/py.typed
PY_DEFAULT_SITEDIR = $(PREFIX)/lib/python3/dist-packages
ifeq ($(PREFIX),/usr/local)
PY_XY := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifneq ($(PY_XY),)
PY_DEFAULT_SITEDIR = /usr/local/lib/python$(PY_XY)/dist-packages
endif
endif
PYTHON_SITEDIR ?= $(PY_DEFAULT_SITEDIR)
PY_DEST := $(DESTDIR)$(PYTHON_SITEDIR)/secprov
# The package is byte-compiled at install, as Debian's py3compile and pip
# do: else every loader process whose folder it cannot write compiles it
# again (docs/python.md#open-imports). The Debian package leaves
# it to dh_python3 (PY_COMPILE=no in debian/rules).
PY_COMPILE ?= yes
# py_compile, not compileall: python3-minimal alone (the Docker image's
# build stage) has py_compile but not compileall's pathlib (ntpath). Each
# .pyc records the installed path (argv[1]), not DESTDIR's.
define PY_COMPILE_ALL
import os, py_compile, sys
for f in sys.argv[2:]:
    py_compile.compile(f, dfile=os.path.join(sys.argv[1], os.path.basename(f)), doraise=True)
endef
export PY_COMPILE_ALL

.PHONY: install-python uninstall-python
install-python:
	install -d $(PY_DEST)
	install -m 0644 $(PY_SOURCES) $(PY_DEST)/
	printf '# Written by make install: the library this package was installed with.\nLIBRARY = "%s"\n' \
	    '$(LIBDIR)/$(LIBSECPROV_SONAME)' > $(PY_DEST)/_install.py
	chmod 0644 $(PY_DEST)/_install.py
ifeq ($(PY_COMPILE),yes)
	if command -v $(PYTHON) >/dev/null; then \
	    $(PYTHON) -c "$$PY_COMPILE_ALL" '$(PYTHON_SITEDIR)/secprov' $(PY_DEST)/*.py; \
	else echo "note: $(PYTHON) not found: the Python package is installed without bytecode"; fi
endif
uninstall-python:
	rm -rf $(PY_DEST)

INSTALL_EXTRA   += install-python
UNINSTALL_EXTRA += uninstall-python
