import pytest

from training import Trainer, TrainingConfig, mae, mse, r2_score


def test_trainer_learns_linear_function(linear_samples):
    xs, ys = zip(*linear_samples)
    trainer = Trainer(TrainingConfig(epochs=300, learning_rate=0.1))
    history = trainer.fit(xs, ys)
    assert history[-1] < history[0] and history[-1] < 1e-3
    assert trainer.evaluate(xs, ys)["r2"] > 0.99


def test_config_validation():
    with pytest.raises(ValueError):
        TrainingConfig(epochs=0)
    with pytest.raises(ValueError):
        TrainingConfig(learning_rate=0)
    assert TrainingConfig.from_dict({"epochs": 3, "unknown": 1}).epochs == 3


def test_metrics():
    assert mse([1, 2], [1, 4]) == 2.0
    assert mae([1, 2], [1, 4]) == 1.0
    assert r2_score([1, 2, 3], [1, 2, 3]) == 1.0
    assert r2_score([2, 2], [2, 2]) == 1.0
    with pytest.raises(ValueError):
        mse([1], [1, 2])


def test_state_dict_round_trip():
    trainer = Trainer(TrainingConfig(seed=1))
    other = Trainer(TrainingConfig(seed=2))
    other.load_state_dict(trainer.state_dict())
    assert other.predict([1.0, 2.0]) == trainer.predict([1.0, 2.0])
    with pytest.raises(ValueError):
        trainer.fit([], [])
