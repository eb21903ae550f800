#!/usr/bin/env python3
"""Time slidekit against marp-cli on the seed deck and on generated decks, HTML and PDF.

    python bench/run.py [--runs 5] [--sizes 50,200,1000] [--photos photos,big-png] [--skip-marp]
                        [--photo-decks /work/photo-decks] [--only NAME,...]
                        [--formats html,pdf,pptx,images] [--limit 120] [--work DIR] [--repo DIR] [--cache warm|cold]

Each (deck, format) is built by slidekit (`python -m slidekit build DECK -o OUT`) and by marp-cli
(as ../shared/tools/marp-ref invokes it), alternately, RUNS times each, every run in a fresh process.
The photo decks (bench/photo_deck.py: camera-sized JPEGs with Marp's filters, a 108-megapixel PNG) are
generated into the work dir; --photo-decks adds real public decks with their photos (bench/photo_decks.tsv,
extracted by bench/photo_decks.py). Prints a Markdown table: median wall time of each, the ratio slidekit / marp,
median CPU time (user + sys of the process and its waited-for children), the output's size and the peak
resident memory of the whole process tree
(sampled every 20 ms, and never below the largest single process's ru_maxrss). Memory is sampled in one
extra run of each tool after the timed ones: sampling reads /proc from a thread of this process, which
takes CPU from the builds being timed on a 2-CPU machine.

A build over --limit seconds is stopped, its cell shows "> LIMIT s" and that (deck, format, tool) is not
run again. Every build is a fresh process (slidekit's PDF layout cache lives in memory, for `serve`);
slidekit's on-disk cache (scoped CSS, QR drawings) is kept between runs in the work dir unless
`--cache cold`, but never its PDF chunks: every run is a first build of the deck
(a rebuild after an edit is bench/rebuild.py's). Not part of the tests.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("SLIDEKIT_SHARED", REPO.parent / "shared"))
SEED = SHARED / "corpus" / "seeds" / "mlops-guide-presentation.md"
MARP_HOME = Path(os.environ.get("MARP_REF_HOME", Path.home() / ".cache" / "marp-ref"))
MARP_CLI = MARP_HOME / "node_modules" / "@marp-team" / "marp-cli" / "marp-cli.js"
CHROME = os.environ.get("MARP_REF_CHROME", "/usr/bin/chromium")

sys.path.insert(0, str(HERE))
from gen_deck import write_deck  # noqa: E402
from photo_deck import write as write_photo_deck  # noqa: E402
from photo_decks import deck_file, read_manifest  # noqa: E402


# Measuring one run --------------------------------------------------------------------------------
def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over `root` and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2:].split()
            pid, ppid, pages = int(entry.name), int(fields[1]), int(fields[21])
        except (OSError, ValueError, IndexError):
            continue
        parents.setdefault(ppid, []).append(pid)
        rss[pid] = pages * (os.sysconf("SC_PAGE_SIZE") // 1024)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(parents.get(pid, []))
    return total


class Run:
    def __init__(self, wall: float | None, cpu: float | None, rss_mb: float | None, error: str = ""):
        self.wall, self.cpu, self.rss_mb, self.error = wall, cpu, rss_mb, error
        self.out_mb: float | None = None       # the size of what it wrote


def measure(cmd: list[str], env: dict, limit: float, cwd: Path, sample: bool = True) -> Run:
    """One run: wall time, and with `sample` the peak memory of the process tree (read from /proc every
    20 ms by a thread of this process, which costs CPU: timed runs do not sample)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    peak = [0]
    done = threading.Event()

    def sample_tree() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
    sampler = threading.Thread(target=sample_tree, daemon=True)
    if sample:
        sampler.start()
    stderr = b""
    timed_out = False
    try:
        _, stderr = proc.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, 15)
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    if sample:
        sampler.join()
    if timed_out:
        return Run(None, None, None, f"> {limit:.0f} s")
    if proc.returncode != 0:
        return Run(None, None, None, f"failed ({proc.returncode}): {stderr.decode(errors='replace')[-300:]}")
    return Run(wall, None, peak[0] / 1024 if sample else None)


def measure_rusage(cmd: list[str], env: dict, limit: float, cwd: Path, sample: bool = True) -> Run:
    """measure() plus CPU time and ru_maxrss from RUSAGE_CHILDREN deltas around the run."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = measure(cmd, env, limit, cwd, sample)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.wall is not None:
        run.cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if run.wall is not None and sample:
        # ru_maxrss of children is a running maximum over all children ever reaped; it rises only when
        # this run's largest process beat every earlier one, so the tree sample stays the main figure.
        run.rss_mb = max(run.rss_mb or 0, after.ru_maxrss / 1024 if after.ru_maxrss > before.ru_maxrss else 0)
    return run


# The two tools ------------------------------------------------------------------------------------
# `images` writes one PNG a slide into a folder of its own (OUT/deck.001.png, ...); its size is their sum.
def output_path(out_dir: Path, name: str, tool: str, fmt: str) -> Path:
    if fmt == "images":
        folder = out_dir / f"{name}-{tool}-images"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder / "deck.png"
    return out_dir / f"{name}-{tool}.{fmt}"


def output_mb(out: Path) -> float | None:
    files = sorted(out.parent.glob("deck.*.png")) if out.name == "deck.png" else [out] if out.exists() else []
    return sum(f.stat().st_size for f in files) / 1e6 if files else None


def slidekit_cmd(deck: Path, out: Path) -> list[str]:
    kind = {".pptx": ["--pptx"], ".png": ["--images", "png"]}.get(out.suffix, [])
    return [sys.executable, "-m", "slidekit", "build", str(deck), *kind, "-o", str(out), "-q"]


def marp_cmd(deck: Path, out: Path) -> list[str]:
    cmd = ["node", str(MARP_CLI), "--no-stdin", "--no-config-file"]
    kind = {".pdf": ["--pdf"], ".pptx": ["--pptx"], ".png": ["--images", "png"]}.get(out.suffix)
    if kind:
        cmd += [*kind, "--allow-local-files", "--browser", "chrome", "--browser-path", CHROME,
                "--browser-timeout", "300"]
    return cmd + [str(deck), "-o", str(out)]


def envs(work: Path, repo: Path, cache: str = "warm") -> tuple[dict, dict]:
    base = dict(os.environ)
    sk = dict(base, PYTHONPATH=str(repo) + os.pathsep + base.get("PYTHONPATH", ""))
    # Byte-compiled as an installed package is (PYTHONDONTWRITEBYTECODE would recompile slidekit's own
    # modules in every run: ~0.1 s), into a folder of the work dir rather than the checkout.
    sk.pop("PYTHONDONTWRITEBYTECODE", None)
    sk["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    # slidekit's on-disk cache (slidekit/cache.py): "warm" keeps it in the work dir, filled by the first
    # build (the slide count); "cold" turns it off, so every run does all the work.
    sk.pop("SLIDEKIT_CACHE", None)
    if cache == "cold":
        sk["SLIDEKIT_CACHE"] = "off"
    else:
        sk["SLIDEKIT_CACHE_DIR"] = str(work / "slidekit-cache")
    tmp = work / "tmp"
    tmp.mkdir(exist_ok=True)
    marp = dict(base, CHROME_PATH=CHROME, CHROME_NO_SANDBOX="1", CHROME_DISABLE_GPU="1",
                PUPPETEER_SKIP_DOWNLOAD="1", BROWSERSLIST_IGNORE_OLD_DATA="1", TMPDIR=str(tmp))
    return sk, marp


# Table --------------------------------------------------------------------------------------------
def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def cell(runs: list[Run], attr: str, fmt: str) -> str:
    values = [getattr(r, attr) for r in runs if getattr(r, attr) is not None]
    if values:
        return fmt.format(med(values))
    errors = [r.error for r in runs if r.error]
    return errors[0].split(":")[0] if errors else "–"


def row(name: str, slides: str, fmt: str, sk: list[Run], mp: list[Run] | None) -> str:
    sk_wall = med([r.wall for r in sk if r.wall is not None])
    mp_wall = med([r.wall for r in mp if r.wall is not None]) if mp else None
    ratio = f"{sk_wall / mp_wall:.2f}" if sk_wall and mp_wall else "–"
    mp = mp or []
    return (f"| {name} | {slides} | {fmt} | {cell(sk, 'wall', '{:.2f}')} | {cell(mp, 'wall', '{:.2f}')} | "
            f"**{ratio}** | {cell(sk, 'cpu', '{:.2f}')} | {cell(mp, 'cpu', '{:.2f}')} | "
            f"{cell(sk, 'rss_mb', '{:.0f}')} | {cell(mp, 'rss_mb', '{:.0f}')} | "
            f"{cell(sk, 'out_mb', '{:.2f}')} | {cell(mp, 'out_mb', '{:.2f}')} |")


HEADER = ("| deck | slides | output | slidekit wall s | marp wall s | ratio sk/marp | slidekit CPU s | "
          "marp CPU s | slidekit peak MB | marp peak MB | slidekit file MB | marp file MB |\n"
          "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="50,200,1000", help="generated deck sizes (comma list; '' for none)")
    parser.add_argument("--photos", default="photos,big-png",
                        help="photo decks of bench/photo_deck.py (comma list; '' for none)")
    parser.add_argument("--photo-decks", type=Path, default=None, metavar="DIR",
                        help="folder of the real photo decks of bench/photo_decks.tsv (DIR/NAME/DECK.md, as "
                             "bench/photo_decks.py extracts them); each is copied into the work dir and measured")
    parser.add_argument("--only", default="", help="comma list: measure only the decks of these names")
    parser.add_argument("--formats", default="html,pdf", help="comma list of html, pdf, pptx, images (PNG)")
    parser.add_argument("--skip-marp", action="store_true")
    parser.add_argument("--no-seed", action="store_true")
    parser.add_argument("--limit", type=float, default=120, help="seconds before a build is given up")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "slidekit-bench")
    parser.add_argument("--cache", choices=("warm", "cold"), default="warm",
                        help="slidekit's on-disk cache: kept between runs (warm, as for a user who rebuilds) "
                             "or off (cold)")
    parser.add_argument("--repo", type=Path, default=REPO,
                        help="the slidekit checkout to time (default: this one), e.g. a copy of an older tree")
    args = parser.parse_args()

    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    decks: list[tuple[str, Path]] = []
    if not args.no_seed:
        seed_dir = work / "seed"
        seed_dir.mkdir(exist_ok=True)
        shutil.copyfile(SEED, seed_dir / SEED.name)
        decks.append(("seed", seed_dir / SEED.name))
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        decks.append((f"gen-{size}", write_deck(size, work / f"gen-{size}" / f"bench-{size}.md")))
    for kind in [k.strip() for k in args.photos.split(",") if k.strip()]:
        decks.append((kind, write_photo_deck(work / kind, kind)))
    if args.photo_decks:
        for entry in read_manifest():
            source = deck_file(args.photo_decks.resolve(), entry)
            if not source.is_file():
                print(f"bench: {entry['name']}: no {source} (run bench/photo_decks.py)", file=sys.stderr)
                continue
            # A copy in the work dir: outputs and caches stay out of the extracted folder.
            copy = work / "photo-decks" / entry["name"]
            if not copy.is_dir():
                shutil.copytree(source.parent, copy)
            decks.append((entry["name"], copy / source.name))
    if args.only:
        wanted = {n.strip() for n in args.only.split(",")}
        decks = [(name, deck) for name, deck in decks if name in wanted]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    use_marp = not args.skip_marp
    if use_marp and not MARP_CLI.is_file():
        print(f"bench: marp-cli not found at {MARP_CLI} (run ../shared/tools/marp-ref once); "
              "going on with --skip-marp", file=sys.stderr)
        use_marp = False
    sk_env, marp_env = envs(work, args.repo.resolve(), args.cache)
    out_dir = work / "out"
    out_dir.mkdir(exist_ok=True)

    rows = []
    for name, deck in decks:
        slides = _count_slides(deck, sk_env)
        for fmt in formats:
            results: dict[str, list[Run]] = {"sk": [], "marp": []}
            memory: dict[str, list[Run]] = {"sk": [], "marp": []}
            gave_up: set[str] = set()
            # The timed runs alternate the tools; then one more run of each samples its memory.
            for i in range(args.runs + 1):
                order = ["sk", "marp"] if i % 2 == 0 else ["marp", "sk"]
                sample = i == args.runs
                for tool in order:
                    if tool in gave_up or (tool == "marp" and not use_marp):
                        continue
                    out = output_path(out_dir, name, tool, fmt)
                    cmd = slidekit_cmd(deck, out) if tool == "sk" else marp_cmd(deck, out)
                    if tool == "sk":    # a first build of the deck: no PDF chunk of an earlier run
                        shutil.rmtree(work / "slidekit-cache" / "pdf-chunks", ignore_errors=True)
                    run = measure_rusage(cmd, sk_env if tool == "sk" else marp_env, args.limit, deck.parent,
                                         sample)
                    if run.wall is not None:
                        run.out_mb = output_mb(out)
                    (memory if sample else results)[tool].append(run)
                    if run.wall is None:
                        gave_up.add(tool)
                    print(f"  {name} {fmt} {tool} {'memory run' if sample else f'run {i + 1}'}: "
                          f"{f'{run.wall:.2f} s' if run.wall is not None else run.error}", file=sys.stderr)
            for tool in results:
                for timed, sampled in zip(results[tool], memory[tool] * len(results[tool])):
                    timed.rss_mb = sampled.rss_mb
            rows.append(row(name, slides, fmt, results["sk"], results["marp"] if use_marp else None))
    print(HEADER)
    print("\n".join(rows))
    return 0


def _count_slides(deck: Path, env: dict) -> str:
    code = ("import sys; from pathlib import Path; from slidekit.api import build_file, BuildOptions; "
            "r = build_file(Path(sys.argv[1]), BuildOptions()); print(len(r.deck.slides) if r.deck else '?')")
    try:
        out = subprocess.run([sys.executable, "-c", code, str(deck)], env=env, capture_output=True,
                             text=True, timeout=300)
        return out.stdout.strip() or "?"
    except subprocess.TimeoutExpired:
        return "?"


if __name__ == "__main__":
    sys.exit(main())
