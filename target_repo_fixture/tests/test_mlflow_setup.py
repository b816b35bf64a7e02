import importlib
import types
from unittest import mock

import pytest

from orchestration.mlflow_utils import setup_mlflow_for_stage
from tracking.mlflow.setup import TrackingContext, setup_mlflow

STAGE_SETUP_IMPLS = ["orchestration.mlflow_utils", "tracking.mlflow.setup"]


def _fake_mlflow():
    fake = types.ModuleType("mlflow")
    fake.set_tracking_uri = mock.Mock()
    fake.set_experiment = mock.Mock(return_value=types.SimpleNamespace(experiment_id="17"))
    return fake


def test_local_fallback_when_mlflow_missing(tmp_path):
    with mock.patch.dict("sys.modules", {"mlflow": None}):
        context = setup_mlflow(tracking_uri=str(tmp_path / "mlruns"), experiment_name="exp-a")
    assert context.backend == "local"
    assert context.experiment_id == "1"
    assert context.client.get_experiment_by_name("exp-a") == {"experiment_id": "1", "name": "exp-a"}


def test_uses_real_mlflow_when_importable(tmp_path):
    fake = _fake_mlflow()
    with mock.patch.dict("sys.modules", {"mlflow": fake}):
        context = setup_mlflow(tracking_uri="http://mlflow.internal:5000", experiment_name="exp-b")
    fake.set_tracking_uri.assert_called_once_with("http://mlflow.internal:5000")
    fake.set_experiment.assert_called_once_with("exp-b")
    assert (context.backend, context.experiment_id, context.client) == ("mlflow", "17", fake)


def test_tracking_uri_from_environment(tmp_path):
    fake = _fake_mlflow()
    with mock.patch.dict("sys.modules", {"mlflow": fake}):
        context = setup_mlflow(experiment_name="e", env={"MLFLOW_TRACKING_URI": "http://env-uri"})
    assert context.tracking_uri == "http://env-uri"
    fake.set_tracking_uri.assert_called_once_with("http://env-uri")


def test_remote_uri_requires_mlflow_and_azureml_plugin():
    with mock.patch.dict("sys.modules", {"mlflow": None}):
        with pytest.raises(RuntimeError, match="mlflow is not installed"):
            setup_mlflow(tracking_uri="https://example.invalid/mlflow", experiment_name="e")
    with mock.patch.dict("sys.modules", {"azureml": None, "azureml.mlflow": None}):
        with pytest.raises(RuntimeError, match="azureml-mlflow"):
            setup_mlflow(tracking_uri="azureml://eastus.api.azureml.ms/mlflow/v1.0/subscriptions/x", experiment_name="e")


@pytest.mark.parametrize("module_name", STAGE_SETUP_IMPLS)
def test_setup_for_stage_equivalent_implementations(module_name, tmp_path):
    impl = importlib.import_module(module_name).setup_mlflow_for_stage
    with mock.patch.dict("sys.modules", {"mlflow": None}):
        context = impl("Final Training", tracking_uri=str(tmp_path / "mlruns"), project="NER", model="BERT", tags={"team": "nlp"})
    assert context.experiment_name == "ner-final-training-bert"
    assert context.tags == {"mlops.stage": "final_training", "mlops.model": "BERT", "mlops.team": "nlp"}
    with pytest.raises(ValueError):
        impl("  ")


@mock.patch("orchestration.mlflow_utils.setup_mlflow")
def test_stage_wrapper_delegates_to_tracking(setup):
    setup.return_value = TrackingContext("local", "mlruns", "placeholder")
    context = setup_mlflow_for_stage("hpo", tracking_uri="mlruns", model="bert")
    setup.assert_called_once_with(tracking_uri="mlruns", experiment_name="mlops-hpo-bert")
    assert context is setup.return_value
    assert context.tags["mlops.stage"] == "hpo"


def test_explicit_experiment_name_wins(tmp_path):
    with mock.patch("tracking.mlflow.setup._import_mlflow", return_value=None) as importer:
        context = setup_mlflow_for_stage("hpo", experiment_name="custom", tracking_uri=str(tmp_path))
    importer.assert_called_once()
    assert context.experiment_name == "custom"
