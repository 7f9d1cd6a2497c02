"""Ends the pytest run with TAP-style totals (`# pass N`, `# fail M`, `# skipped K`), which
scripts/test.sh counts with the same function as Node's test runner (scripts/totals.sh)."""


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    count = lambda *keys: sum(len(stats.get(k, [])) for k in keys)  # noqa: E731
    terminalreporter.write_line(f"# pass {count('passed')}")
    terminalreporter.write_line(f"# fail {count('failed', 'error')}")
    terminalreporter.write_line(f"# skipped {count('skipped', 'xfailed')}")
