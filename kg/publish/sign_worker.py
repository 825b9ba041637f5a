"""A helper process of :func:`kg.publish.mint.sign_many`: signs its share of the nanopubs on
another core while the build signs the rest (the toolkit holds the GIL while it signs).

Started as ``python -I this_file`` (it imports nothing of ``kg``); reads
``{"key": private key, "trig": [draft TriG, …]}`` as JSON on stdin and writes
``[[Trusty IRI, signed TriG], …]`` as JSON on stdout, in the same order. The key comes through
the pipe, never the command line or the environment. The toolkit's own messages (it prints
to standard output) go to standard error, so they cannot mix with the answer.
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    answer = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # whatever the toolkit prints goes to stderr
    import nanopub_sign

    job = json.load(sys.stdin)
    profile = nanopub_sign.NpProfile(job["key"])
    out = []
    for trig in job["trig"]:
        signed = nanopub_sign.Nanopub(trig).sign(profile)
        out.append([signed.info()["uri"]["value"], signed.rdf()])
    json.dump(out, answer)
    answer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
