"""`slidekit build --watch`: build, then rebuild what a save changed until Ctrl+C."""

from __future__ import annotations

import sys
from pathlib import Path

from .builder import EXIT_OK, Builder, make_executor
from .plan import Plan


def watched(args, plan: Plan) -> list[Path]:
    """The folders of the decks, the theme files and the config file."""
    from ..config import find_config

    paths = []
    for item in args.inputs:
        path = Path(item)
        paths.append(path if path.is_dir() else path.parent)
    paths += [Path(p) for p in args.theme_set or []]
    if args.theme and str(args.theme).endswith(".css"):
        paths.append(Path(args.theme))
    if args.config_file:
        paths.append(Path(args.config_file))
    elif not args.no_config and args.inputs and args.inputs[0] != "-":
        start = Path(args.inputs[0])
        found = find_config(start if start.is_dir() else start.parent)
        if found is not None:
            paths.append(found)
    unique: list[Path] = []
    for path in (p.resolve() for p in paths if p.exists()):
        if path not in unique and not any(u.is_dir() and u in path.parents for u in unique):
            unique = [u for u in unique if not (path.is_dir() and path in u.parents)] + [path]
    return unique


def watch(reconfigure, builder: Builder, plan: Plan, stop=None, on_build=None) -> int:
    """Build, then rebuild on every change until Ctrl+C (or `stop`, a threading.Event, is set).
    `reconfigure()` gives the options and plan anew (the config file or a folder's decks may change)."""
    import queue
    import threading

    from ..serve import WATCHED_SUFFIXES, Preview

    changes: "queue.Queue[set[Path]]" = queue.Queue()
    stop = stop or threading.Event()

    class Watcher(Preview):
        def on_change(self, paths: set[Path]) -> None:
            relevant = {p for p in paths if p.suffix.lower() in WATCHED_SUFFIXES and not p.name.startswith(".#")}
            if relevant:
                changes.put(relevant)

        def start(self) -> None:   # the preview's watching alone, no preview build
            self._watcher = threading.Thread(target=self._watch, name="slidekit-watch", daemon=True)
            self._watcher.start()
            self.ready.wait(10)

    builder.executor = builder.executor or make_executor(builder.workers, bool(builder.options.pdf))
    roots = watched(builder.options, plan)
    watcher = Watcher(roots[0], extra_watch=roots[1:],
                      log=lambda line: print(line, file=sys.stderr))
    watcher.start()
    try:
        builder.build(plan)
        built = {job.deck.resolve() for job in plan.jobs}
        if on_build:
            on_build()
        if not builder.options.quiet:
            print(f"watching {', '.join(str(r) for r in roots)} (Ctrl+C to stop)", file=sys.stderr, flush=True)
        while not stop.is_set():
            try:
                paths = changes.get(timeout=0.2)
            except queue.Empty:
                continue
            try:
                while True:   # one rebuild for a burst of saves
                    paths |= changes.get(timeout=0.05)
            except queue.Empty:
                pass
            site = plan.site.resolve() if plan.site is not None else None
            paths = {p.resolve() for p in paths}
            paths = {p for p in paths if p not in builder.written and not (site and site in p.parents)}
            if not paths:
                continue
            configured, new_plan = reconfigure()
            if isinstance(new_plan, str):
                print(f"slidekit: error: {new_plan}", file=sys.stderr)
                continue
            builder.options = configured
            decks = {job.deck.resolve() for job in new_plan.jobs}
            if all(p.suffix.lower() in (".md", ".markdown") for p in paths) and new_plan.site == plan.site:
                jobs = [job for job in new_plan.jobs if job.deck.resolve() in paths or job.deck.resolve() not in built]
            else:
                jobs = new_plan.jobs   # an image, a theme, the config: every deck
            for gone in set(builder.entries) - decks:
                builder.entries.pop(gone, None)
            plan, built = new_plan, decks
            if jobs:
                builder.build(plan, jobs)
            elif plan.site is not None:
                builder.write_index(plan)
            if on_build:
                on_build()
    finally:
        watcher.stop()
    return EXIT_OK
