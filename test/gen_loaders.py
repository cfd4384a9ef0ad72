"""Writes the wrong-format fixtures of test/loaders-limits.test.ts into test/vectors/loaders/.

Run from the repository root with PyTorch 1.13:  /usr/bin/python3 test/gen_loaders.py

- linear_zip.pt: torch.save of an nn.Linear(3, 2) state_dict (the zip format, torch >= 1.6's default)
- linear_legacy.pt: the same with _use_new_zipfile_serialization=False (a bare pickle stream)
loadSafetensors must name what these are and say how to write safetensors instead.
"""
import os

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'vectors', 'loaders')
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(0)
sd = torch.nn.Linear(3, 2).state_dict()
torch.save(sd, os.path.join(OUT, 'linear_zip.pt'))
torch.save(sd, os.path.join(OUT, 'linear_legacy.pt'), _use_new_zipfile_serialization=False)
