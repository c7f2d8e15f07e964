"""LR schedules: linear warmup to the peak at step 300, cosine (SFT) or linear (DPO) decay afterwards."""

from __future__ import annotations

import math

import pytest

from hermes_train.schedule import build_scheduler, lr_factor

SFT = {"warmup_steps": 300, "total_steps": 1300}


def test_warmup_reaches_the_peak_at_step_300_then_cosine_decays():
    assert lr_factor(0, **SFT) == 0.0
    assert lr_factor(150, **SFT) == pytest.approx(0.5)
    assert lr_factor(299, **SFT) < 1.0 == lr_factor(300, **SFT)
    assert lr_factor(800, **SFT) == pytest.approx(0.5)  # half way through the decay
    assert lr_factor(550, **SFT) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
    assert lr_factor(1300, **SFT) == pytest.approx(0.0, abs=1e-12)
    assert lr_factor(5000, **SFT) == pytest.approx(0.0, abs=1e-12)  # past the end it stays at the floor
    decay = [lr_factor(s, **SFT) for s in range(300, 1301)]
    assert all(a >= b for a, b in zip(decay, decay[1:], strict=False))


def test_linear_decay_min_ratio_and_no_warmup():
    assert lr_factor(9, warmup_steps=9, total_steps=109, decay="linear") == 1.0
    assert lr_factor(59, warmup_steps=9, total_steps=109, decay="linear") == pytest.approx(0.5)
    assert lr_factor(1300, **SFT, min_ratio=0.1) == pytest.approx(0.1)
    assert lr_factor(0, warmup_steps=0, total_steps=10) == 1.0


def test_bad_settings_fail_early():
    with pytest.raises(ValueError, match="warmup_steps"):
        lr_factor(0, warmup_steps=20, total_steps=10)


def test_scheduler_drives_the_optimizer_and_resumes():
    torch = pytest.importorskip("torch")
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.AdamW([param], lr=7e-6, weight_decay=0.01)
    scheduler = build_scheduler(optimizer, warmup_steps=4, total_steps=12)
    lrs = []
    for _ in range(6):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    assert lrs[:5] == pytest.approx([0.0, 1.75e-6, 3.5e-6, 5.25e-6, 7e-6])
    resumed = build_scheduler(optimizer, warmup_steps=4, total_steps=12)
    resumed.load_state_dict(scheduler.state_dict())
    assert resumed.get_last_lr() == scheduler.get_last_lr()
