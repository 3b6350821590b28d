"""Loading libsecprov.so.0 with ctypes: where it is found, every function's
prototype, the one errcheck, the version check and the log bridge."""
from __future__ import annotations

import ctypes
import importlib
import os
import sys
import threading

from . import _ffi
from .errors import LibraryError, SecprovError, error_for_status

TYPE_CHECKING = False                   # typing is not imported at run time
if TYPE_CHECKING:
    import logging
    from typing import Any, Callable, List, Optional, Tuple, Union


def _installed_library() -> Optional[str]:
    """The path `make install` (or the wheel build) recorded in _install.py;
    None when running from the source tree."""
    try:
        mod = importlib.import_module(__package__ + "._install")
    except ImportError:
        return None
    path = getattr(mod, "LIBRARY", None)
    return path if isinstance(path, str) else None


_INSTALLED_LIBRARY = _installed_library()

SONAME = "libsecprov.so.0"
ENV_LIBRARY = "SECPROV_LIBRARY"

# logging's levels (logging.DEBUG, INFO, WARNING, ERROR: fixed numbers of
# its API, written here so that open() needs no logging)
DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
_log: Optional[logging.Logger] = None


def _logger() -> logging.Logger:
    """The logger "secprov". logging is imported on the first line secprov
    logs, not at open(): a loader's start-up (docs/python.md#open-imports)."""
    global _log
    if _log is None:
        import logging
        _log = logging.getLogger("secprov")
    return _log


def emit(level: int, fmt: str, *args: Any) -> None:
    """A line to the logger "secprov". Below WARNING while nothing in the
    process has imported logging, no handler can take it (logging's last
    resort prints WARNING and up): it is dropped without importing logging."""
    if level < WARNING and "logging" not in sys.modules:
        return
    _logger().log(level, fmt, *args)


# secprov level -> logging level
_TO_LOGGING = {
    _ffi.LOG_LEVELS["SECPROV_LOG_DEBUG"]: DEBUG,
    _ffi.LOG_LEVELS["SECPROV_LOG_INFO"]: INFO,
    _ffi.LOG_LEVELS["SECPROV_LOG_WARNING"]: WARNING,
    _ffi.LOG_LEVELS["SECPROV_LOG_ERROR"]: ERROR,
}
_LEVEL_NAMES = {
    "debug": _ffi.LOG_LEVELS["SECPROV_LOG_DEBUG"],
    "info": _ffi.LOG_LEVELS["SECPROV_LOG_INFO"],
    "warning": _ffi.LOG_LEVELS["SECPROV_LOG_WARNING"],
    "error": _ffi.LOG_LEVELS["SECPROV_LOG_ERROR"],
    "none": _ffi.LOG_LEVELS["SECPROV_LOG_NONE"],
}


def _candidates() -> List[Tuple[str, bool]]:
    env = os.environ.get(ENV_LIBRARY)
    if env:
        return [(env, True)]
    out = []
    if _INSTALLED_LIBRARY and os.path.exists(_INSTALLED_LIBRARY):
        out.append((_INSTALLED_LIBRARY, True))
    out.append((SONAME, False))
    return out


def _load() -> ctypes.CDLL:
    errors = []
    for path, explicit in _candidates():
        try:
            return ctypes.CDLL(path)    # RTLD_LOCAL: secprov's providers need nothing global
        except OSError as e:
            errors.append("%s: %s" % (path, e))
            if explicit:
                break
    raise LibraryError("secprov: cannot load the C library (%s). Install it (make install), "
                       "or set %s to the path of libsecprov.so.0"
                       % ("; ".join(errors), ENV_LIBRARY))


def _errcheck(result: int, func: Any, args: Any) -> int:
    if result < 0:
        line = lib.secprov_last_error()
        msg = line.decode("utf-8", "replace") if line else ""
        if not msg:
            msg = lib.secprov_strerror(result).decode("utf-8", "replace")
        raise error_for_status(result, msg, func.__name__)
    return result


# Status-returning functions whose non-negative results are data, not status.
_NO_ERRCHECK = {"secprov_fell_back", "secprov_config_check"}


# Raised or logged, not both. The core logs a failure at ERROR (and keeps it
# as secprov_last_error, the exception's message) on the calling thread,
# inside the call. Around every status-returning call the thread's ERROR
# lines are held: when the call raises, they are what the exception says and
# go to the logger at DEBUG only; when it succeeds (an error the library
# recovered from), they go out at ERROR after the call. Lines of other
# levels (the fallback warning) and of threads not in a call pass at once.
_held = threading.local()


def _guarded(f: Any) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        if getattr(_held, "lines", None) is not None:     # a call inside a call's callback
            return f(*args)
        lines: List[str] = []
        _held.lines = lines
        raised = False
        try:
            return f(*args)
        except SecprovError:
            raised = True
            raise
        finally:
            _held.lines = None
            for line in lines:
                if raised:
                    emit(DEBUG, "%s (raised to the caller)", line)
                else:
                    emit(ERROR, "%s", line)
    call.__name__ = f.__name__
    return call


def _bind(cdll: ctypes.CDLL) -> ctypes.CDLL:
    missing = []
    for name, (restype, argtypes) in _ffi.PROTOTYPES.items():
        try:
            f = getattr(cdll, name)
        except AttributeError:
            missing.append(name)
            continue
        f.restype = restype
        f.argtypes = argtypes
        if restype is ctypes.c_int and name not in _NO_ERRCHECK:
            f.errcheck = _errcheck
            setattr(cdll, name, _guarded(f))
    if missing:
        raise LibraryError("secprov: %s lacks %s" % (cdll._name, ", ".join(missing)))
    return cdll


def _check_version(cdll: ctypes.CDLL) -> str:
    try:
        fn = cdll.secprov_version
    except AttributeError:
        raise LibraryError("secprov: %s is not libsecprov (no secprov_version)" % cdll._name) from None
    fn.restype, fn.argtypes = ctypes.c_char_p, ()
    v = (fn() or b"").decode("ascii", "replace")
    try:
        major, minor = (int(x) for x in v.split(".")[:2])
    except ValueError:
        raise LibraryError("secprov: %s reports version %r" % (cdll._name, v)) from None
    if major != _ffi.VERSION_MAJOR or minor < _ffi.VERSION_MINOR:
        raise LibraryError("secprov: %s is version %s; this package needs %d.x with x >= %d"
                           % (cdll._name, v, _ffi.VERSION_MAJOR, _ffi.VERSION_MINOR))
    return v


def _log_sink(level: int, message: Optional[bytes], user: Any) -> None:
    try:
        lv = _TO_LOGGING.get(level, ERROR)
        text = (message or b"").decode("utf-8", "replace")
        held = getattr(_held, "lines", None)
        if held is not None and lv >= ERROR:
            held.append(text)
            return
        emit(lv, "%s", text)
    except Exception:                    # never let an exception cross into C
        pass


# One callback object for the process, alive as long as the module.
LOG_CALLBACK = _ffi.LOG_FN(_log_sink)

lib = _load()
library_version = _check_version(lib)  # before binding: an old library may lack newer symbols
_bind(lib)
library_path: str = lib._name


def log_level_value(level: Union[None, str, int]) -> int:
    """secprov's level for a level name ("debug" ... "none") or a logging level."""
    if level is None:
        return _ffi.LOG_LEVELS["SECPROV_LOG_UNSET"]
    if isinstance(level, str):
        try:
            return _LEVEL_NAMES[level.lower()]
        except KeyError:
            raise ValueError("secprov: log_level %r: not debug, info, warning, error or none"
                             % level) from None
    if isinstance(level, int) and not isinstance(level, bool):
        for sp, lv in sorted(_TO_LOGGING.items(), key=lambda kv: -kv[1]):
            if level >= lv:
                return sp
        return _ffi.LOG_LEVELS["SECPROV_LOG_DEBUG"]
    raise TypeError("secprov: log_level must be a name or a logging level, not %r" % (level,))


def fs_arg(value: Union[None, str, "os.PathLike[str]", bytes], what: str) -> Optional[bytes]:
    """A path or text option as a C string (None stays NULL)."""
    if value is None:
        return None
    b = os.fsencode(value) if not isinstance(value, bytes) else value
    if b"\0" in b:
        raise ValueError("secprov: %s contains a NUL byte" % what)
    return b


def make_options(provider: Optional[str], config: Any, provider_dir: Any,
                 log_level: Union[None, str, int],
                 config_text: Optional[str] = None) -> _ffi.Options:
    """The options struct; ``config`` a path, ``config_text`` libconfig text
    (the program's own configuration: secprov_options.config_text)."""
    o = _ffi.Options()
    o.size = ctypes.sizeof(_ffi.Options)
    o.provider = fs_arg(provider, "provider")
    o.config_path = fs_arg(config, "config")
    if config_text is not None:
        t = config_text.encode("utf-8")
        if b"\0" in t:
            raise ValueError("secprov: the config text contains a NUL character")
        o.config_text = t
    o.provider_dir = fs_arg(provider_dir, "provider_dir")
    o.log_level = log_level_value(log_level)
    o.log_fn = LOG_CALLBACK
    o.log_user = None
    return o
