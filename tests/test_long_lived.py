"""plugins/long_lived.py: a server's start-up objects are frozen out of full garbage collections, once a process."""

import subprocess
import sys
import textwrap

from tests.test_serve import small_harvest  # noqa: F401


def test_a_server_freezes_what_it_holds_at_startup_once_a_process(small_harvest):  # noqa: F811
    script = textwrap.dedent(
        f"""
        import asyncio, gc
        from pathlib import Path
        from harvester.serve import datasette_for
        assert gc.get_freeze_count() == 0
        asyncio.run(datasette_for(Path({str(small_harvest)!r})).invoke_startup())
        first = gc.get_freeze_count()
        asyncio.run(datasette_for(Path({str(small_harvest)!r})).invoke_startup())
        print(first, gc.get_freeze_count())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    first, second = map(int, result.stdout.split())
    assert first > 20_000  # modules, Datasette, its plugins and templates (~61,000)
    assert second == first
