#!/usr/bin/env python3
"""Fails when a module imports one its row in docs/ARCHITECTURE.md's module table does not allow.

Each row reads: | `Module` | one job | may import | notable types |. Every Sources/<Module>/ folder
must have a row; every `import X` (any access level) in its Swift files must name a platform
module or one listed in "may import" ("every `Loopseal*` module above but the C ones" allows all
Loopseal Swift modules). Run by `make test`.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
PLATFORM = {"Foundation", "Glibc", "Darwin", "Dispatch", "Synchronization", "Musl"}
C_MODULES = {"CSodium", "CLoopsealSystem"}
IMPORT = re.compile(r"^\s*(?:@\w+\s+)*(?:(?:internal|public|package|private|fileprivate)\s+)?import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)


def allowed_table():
    text = (ROOT / "docs/ARCHITECTURE.md").read_text()
    section = text.split("## Module map", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        module = cells[0].strip("`")
        rows[module] = cells[2]
    return rows


def main():
    rows = allowed_table()
    sources = sorted(p for p in (ROOT / "Sources").iterdir() if p.is_dir())
    swift_modules = {p.name for p in sources if p.name not in C_MODULES}
    problems = []
    for folder in sources:
        module = folder.name
        if module not in rows:
            problems.append(f"docs/ARCHITECTURE.md: the module table has no row for {module}")
            continue
        cell = rows[module]
        allowed = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cell))
        if "every `Loopseal*` module" in cell:
            allowed |= {m for m in swift_modules if m.startswith("Loopseal")}
        for file in sorted(folder.rglob("*.swift")):
            for match in IMPORT.finditer(file.read_text()):
                name = match.group(1)
                if name in PLATFORM or name == module or name in allowed:
                    continue
                line = file.read_text().count("\n", 0, match.start()) + 1
                problems.append(f"{file.relative_to(ROOT)}:{line}: {module} imports {name}, which its row in docs/ARCHITECTURE.md does not allow")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-imports: {len(problems)} problem(s); change the code or, if the design changed, the module table", file=sys.stderr)
        return 1
    print(f"check-imports: {len(sources)} modules import only what docs/ARCHITECTURE.md allows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
