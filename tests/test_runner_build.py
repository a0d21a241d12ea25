"""The installed llama.cpp build holds no instruction outside the portable x86-64 baseline (issue 12):
no AMX (`tilezero` & co.) and no AVX-512 (zmm registers). A SIGILL on a CPU that advertises more
than its kernel grants is ruled out by construction, not by the test machine's CPU."""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FLAVOR_FILE = Path(sys.prefix) / ".llama-flavor"


def _libs() -> list[Path]:
    try:
        import llama_cpp
    except ImportError:
        pytest.skip("llama-cpp-python is not installed")
    lib = Path(llama_cpp.__file__).parent / "lib"
    found = sorted(p for p in lib.glob("*.so") if p.name.startswith(("libggml", "libllama")))
    if not found:
        pytest.skip(f"no shared libraries under {lib}")
    return found


@pytest.mark.skipif(platform.machine() != "x86_64", reason="the baseline check is for x86-64")
@pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) is not installed")
def test_the_portable_build_has_no_amx_and_no_avx512() -> None:
    flavor = FLAVOR_FILE.read_text().strip() if FLAVOR_FILE.exists() else ""
    if "native" in flavor:
        pytest.skip(f"this venv holds a native build ({flavor}): it may use what this CPU has")
    libs = _libs()
    counts: dict[str, tuple[int, int]] = {}
    for lib in libs:
        asm = subprocess.run(
            ["objdump", "-d", "--no-show-raw-insn", str(lib)], capture_output=True, text=True, check=True
        ).stdout
        amx = sum(asm.count(op) for op in ("tilezero", "tileloadd", "tdpbssd", "tdpbf16ps", "ldtilecfg"))
        counts[lib.name] = (amx, asm.count("%zmm"))
    assert any(name.startswith("libggml-cpu") for name in counts)
    assert all(c == (0, 0) for c in counts.values()), counts


def test_the_venv_records_its_llama_flavor() -> None:
    _libs()
    if not FLAVOR_FILE.exists():
        pytest.skip("llama-cpp-python was not installed by make setup")
    assert FLAVOR_FILE.read_text().strip()
