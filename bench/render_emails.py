"""CPU time of rendering one email (`customer_processing_order`, text and HTML parts) against
the sample order, in process: the shipped templates through their trusted, non-sandboxed path
(`templating.trusted_template`, with its layout and partials inlined: `inlining`), the same
trusted environment with each partial looked up at render time (what inlining buys), the same
files through the sandbox (what an edited template gets), and through the sandbox with Jinja2's
own `getattr` instead of `templating.Sandbox.getattr` (what that override buys); interleaved
rounds, medians. Not a timed test: a figure for docs/performance.md.

Like for like: the three environments are built the same way, each with its own fresh, empty
bytecode cache folder (as a command gets them, `load_email_template(lazy=True,
bytecode_dir=…)`; one folder each, because `email_environment` returns one shared environment
per arguments, and the third one's `getattr` is replaced). Only rendering is timed, after one
untimed render of each (compiled and loaded by then).

    python bench/render_emails.py [--rounds 7] [--renders 2000]
"""

from __future__ import annotations

import argparse
import functools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--renders", type=int, default=2000)
    args = parser.parse_args(argv)

    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from orderwf import context_names, resources, templating
    from orderwf.engine import context as ctx
    from orderwf.workflow.loader import load_workflow

    wf = load_workflow(resources.default_workflow_path())
    context = context_names.sample_context(
        workflow=wf.name, status=ctx.status_context(wf, wf.initial), shop=ctx.shop_context(wf)
    )
    folder = resources.templates_dir().resolve()
    names = ["customer_processing_order.html.j2", "customer_processing_order.txt.j2"]
    caches = Path(tempfile.mkdtemp(prefix="render-emails-"))
    sandbox = templating.email_environment(folder, caches / "sandbox")
    plain_getattr = templating.email_environment(folder, caches / "plain-getattr")
    assert sandbox is not plain_getattr
    plain_getattr.getattr = functools.partial(  # type: ignore[method-assign]
        ImmutableSandboxedEnvironment.getattr, plain_getattr
    )
    trusted = [templating.trusted_template(folder, n, caches / "trusted") for n in names]
    paths = {
        "trusted (no sandbox)": trusted,
        # The same environment without `inlining`: each partial looked up at render time.
        "trusted, as written": [t.orderwf_as_written() for t in trusted],  # type: ignore[union-attr]
        "sandbox": [sandbox.get_template(n) for n in names],
        "sandbox, Jinja2 getattr": [plain_getattr.get_template(n) for n in names],
    }
    outputs = {k: [t.render(context) for t in ts if t] for k, ts in paths.items()}
    assert len(set(map(tuple, outputs.values()))) == 1, "the two paths render differently"
    times: dict[str, list[float]] = {k: [] for k in paths}
    for _ in range(args.rounds):
        for key, templates in paths.items():
            start = time.process_time()
            for _ in range(args.renders):
                for template in templates:
                    template.render(context)  # type: ignore[union-attr]
            times[key].append((time.process_time() - start) / args.renders * 1000)
    for key, values in times.items():
        print(f"{key:22} {statistics.median(values):.3f} ms CPU per email (median)")
    inlined, as_written, sandboxed, plain = times.values()
    ratio = statistics.median(a / b for a, b in zip(inlined, sandboxed, strict=True))
    print(f"trusted ÷ sandbox      {ratio:.2f}")
    ratio = statistics.median(a / b for a, b in zip(inlined, as_written, strict=True))
    print(f"inlined ÷ as written   {ratio:.2f}")
    ratio = statistics.median(a / b for a, b in zip(plain, sandboxed, strict=True))
    print(f"Jinja2 getattr ÷ ours  {ratio:.2f}")
    shutil.rmtree(caches, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
