"""Render an exported .docx to PDF (LibreOffice headless) and a PDF page to PNG (pdftoppm), to
see what an office printer would print. Neither tool is needed for the export itself.

Free fonts stand in for the GB2312 fonts a Linux machine lacks: a fontconfig file written for
the run maps 仿宋 → AR PL UMing, 楷体 → AR PL UKai, 黑体 → Noto Sans CJK, 宋体/小标宋 → Noto Serif
CJK (Debian: fonts-arphic-uming fonts-arphic-ukai fonts-noto-cjk), so each heading level keeps a
face of its own in the picture."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from core.errors import BiganziError

# GB/T 9704 font name → free stand-ins, best first.
STAND_INS: dict[str, tuple[str, ...]] = {
    "仿宋_GB2312": ("FangSong", "仿宋", "AR PL UMing CN", "Noto Serif CJK SC"),
    "仿宋": ("FangSong", "AR PL UMing CN", "Noto Serif CJK SC"),
    "FangSong": ("AR PL UMing CN", "Noto Serif CJK SC"),
    "楷体_GB2312": ("KaiTi", "楷体", "AR PL UKai CN", "Noto Serif CJK SC"),
    "楷体": ("KaiTi", "AR PL UKai CN", "Noto Serif CJK SC"),
    "KaiTi": ("AR PL UKai CN", "Noto Serif CJK SC"),
    "黑体": ("SimHei", "Noto Sans CJK SC"),
    "SimHei": ("Noto Sans CJK SC",),
    "宋体": ("SimSun", "Noto Serif CJK SC", "AR PL UMing CN"),
    "SimSun": ("Noto Serif CJK SC", "AR PL UMing CN"),
    "方正小标宋简体": ("FZXiaoBiaoSong-B05S", "Noto Serif CJK SC", "AR PL UMing CN"),
}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def fontconfig_file(directory: Path) -> Path:
    """A fontconfig file: the system configuration plus the stand-ins above."""
    aliases = []
    for family, prefer in STAND_INS.items():
        families = "".join(f"<family>{escape(p)}</family>" for p in prefer)
        aliases.append(
            f'  <alias binding="same"><family>{escape(family)}</family><prefer>{families}</prefer></alias>'
        )
    text = (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        + "\n".join(aliases)
        + "\n</fontconfig>\n"
    )
    path = directory / "fonts.conf"
    path.write_text(text, encoding="utf-8")
    return path


def docx_to_pdf(docx_path: Path, out_dir: Path, timeout: float = 180) -> Path:
    """Convert with LibreOffice headless, in a profile of its own (parallel runs do not clash)."""
    exe = soffice()
    if exe is None:
        raise BiganziError(
            "未找到 LibreOffice（soffice），无法转为 PDF；Debian 下可运行 make docs-tools 安装"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="biganzi-lo-") as tmp:
        env = dict(os.environ, FONTCONFIG_FILE=str(fontconfig_file(Path(tmp))), HOME=tmp)
        cmd = [
            exe,
            f"-env:UserInstallation=file://{tmp}/profile",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(docx_path),
        ]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise BiganziError(f"LibreOffice 转换超时（{timeout:.0f} 秒）：{docx_path.name}") from e
    pdf = out_dir / (docx_path.stem + ".pdf")
    if proc.returncode != 0 or not pdf.exists():
        detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["无输出"]
        raise BiganziError(f"LibreOffice 未能把 {docx_path.name} 转为 PDF：{detail[0]}")
    return pdf


def pdf_to_png(pdf_path: Path, out_prefix: Path, page: int = 1, dpi: int = 80, timeout: float = 60) -> Path:
    """One page of a PDF as PNG (pdftoppm from poppler-utils); returns the PNG path."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise BiganziError("未找到 pdftoppm，无法生成图片；Debian 下可安装 poppler-utils")
    cmd = [
        exe,
        "-png",
        "-r",
        str(dpi),
        "-f",
        str(page),
        "-l",
        str(page),
        "-singlefile",
        str(pdf_path),
        str(out_prefix),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    png = out_prefix.with_name(out_prefix.name + ".png")
    if proc.returncode != 0 or not png.exists():
        raise BiganziError(f"pdftoppm 未能生成图片：{(proc.stderr or '').strip()[:200]}")
    return png
