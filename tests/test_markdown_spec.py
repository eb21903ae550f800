"""Markdown as marp-core reads it: the CommonMark spec's examples and GFM cases rendered by marp-core
(from npm, as ../shared/tools/marp-ref uses it) and by slidekit, compared slide by slide after normalising
(tests/markdown_spec/differential.py). Every remaining difference is listed with its reason in
tests/markdown_spec/expected_differences.txt. Skipped without node, or without npm and network on the
first run."""

from __future__ import annotations

import pytest

from markdown_spec.differential import POLICY_LIFTED_BY, compare, expected_differences, lifted

SAME_AT_LEAST = 0.975            # identical, of all cases
SAME_OR_POLICY_AT_LEAST = 0.99   # identical or differing by a listed, deliberate policy


@pytest.fixture(scope="module")
def results():
    found = compare()
    if found is None:
        pytest.skip("node, npm or marp-core not available (marp-core is installed from npm on first use)")
    return found


def test_differences_are_the_listed_ones(results):
    differ = {name for name, (_, marp, ours) in results.items() if marp != ours}
    listed = set(expected_differences())
    new = sorted(differ - listed)
    assert not new, "slidekit reads these unlike marp-core:\n" + "\n".join(
        f"{name}: {results[name][0]!r}\n  marp: {results[name][1]}\n  ours: {results[name][2]}" for name in new)
    fixed = sorted(listed - differ)
    assert not fixed, f"now read as marp-core reads them: take them off expected_differences.txt: {fixed}"


def test_share_the_same(results):
    same = sum(marp == ours for _, marp, ours in results.values())
    assert same / len(results) >= SAME_AT_LEAST, f"{same}/{len(results)}"
    policy = {name for name, reason in expected_differences().items() if reason.startswith("policy:")}
    differ_by_policy = sum(marp != ours for name, (_, marp, ours) in results.items() if name in policy)
    assert (same + differ_by_policy) / len(results) >= SAME_OR_POLICY_AT_LEAST, f"{same}+{differ_by_policy}"


def test_policies_are_the_only_difference(results):
    """Each policy difference is deliberate and nothing more: with the setting that lifts the policy
    (--allow-local-files for local images) the case renders as marp-core renders it."""
    expected = expected_differences()
    unknown = sorted({r for r in expected.values() if r.startswith("policy:")} - set(POLICY_LIFTED_BY))
    assert not unknown, f"a policy without the setting that lifts it (POLICY_LIFTED_BY): {unknown}"
    still = {name: slides for name, slides in lifted(results, expected).items() if slides != results[name][1]}
    assert not still, "\n".join(f"{name}: marp {results[name][1]}\n  ours {slides}" for name, slides in still.items())
