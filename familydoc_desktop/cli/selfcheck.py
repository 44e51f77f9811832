"""`familydoc selfcheck [--screenshot F.png]`: can this PC show the app? (fonts, translations,
resources, database, the main window opened and closed). Exit 1 when a check fails."""
from __future__ import annotations

from pathlib import Path

from familydoc_desktop.cli import common

LABELS = {"cjk_font": "中文字体", "translations": "界面翻译", "resources": "资源文件",
          "database": "本地数据库", "screenshot": "窗口截图", "window": "主窗口"}


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("selfcheck", parents=[common.json_parent()],
                       help="自检：中文字体、界面翻译、资源文件、数据库、主窗口能否正常打开")
    p.add_argument("--screenshot", type=Path, help="把主窗口截图保存到此 PNG 文件")
    p.set_defaults(func=cmd_selfcheck)


def cmd_selfcheck(args) -> int:  # noqa: ANN001
    try:
        from familydoc_desktop.ui import selfcheck
    except ImportError as exc:
        raise common.CliError(f"无法加载图形界面库（{exc.name or exc}），请重新安装") from None
    checks = selfcheck.run(args.data_dir, args.screenshot)
    data = {"ok": all(c.ok for c in checks),
            "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail} for c in checks]}
    common.emit(args, data, lambda: "\n".join(
        f"{'通过' if c.ok else '失败'}  {LABELS.get(c.name, c.name)}：{c.detail}" for c in checks))
    return 0 if data["ok"] else 1
