import sys

import pytest

from shared.lazy import ModelRef, import_target, lazy_models, lazy_module

SAMPLE = "tests.shared.lazy_sample"


@pytest.fixture
def fresh_sample():
    sys.modules.pop(SAMPLE, None)
    yield
    sys.modules.pop(SAMPLE, None)


def test_a_lazy_module_is_imported_on_first_attribute_access_and_sees_later_changes(fresh_sample):
    sample = lazy_module(SAMPLE)
    assert SAMPLE not in sys.modules
    assert sample.greet("ada") == "hello ada"
    assert SAMPLE in sys.modules
    sys.modules[SAMPLE].GREETING = "hi"
    try:
        assert sample.greet("ada") == "hi ada"
    finally:
        sys.modules[SAMPLE].GREETING = "hello"


def test_naming_a_model_imports_nothing_and_resolving_it_gives_the_class(fresh_sample):
    models = lazy_models(SAMPLE)
    ref = models.Item
    assert SAMPLE not in sys.modules
    assert ref.__name__ == "Item" and ref == ModelRef(SAMPLE, "Item") and models.Item is ref
    cls = ref.resolve()
    assert cls is sys.modules[SAMPLE].Item


def test_calling_a_ref_builds_an_instance_of_the_class(fresh_sample):
    item = lazy_models(SAMPLE).Item(name="lamp")
    assert item.name == "lamp" and type(item).__name__ == "Item"


def test_a_ref_to_a_missing_class_fails_when_resolved(fresh_sample):
    with pytest.raises(AttributeError):
        lazy_models(SAMPLE).Nothing.resolve()


def test_import_target_reads_a_module_colon_attribute_path_and_passes_callables_through(fresh_sample):
    assert import_target(f"{SAMPLE}:greet")("bo") == "hello bo"
    assert import_target(len) is len
    with pytest.raises(ValueError):
        import_target(f"{SAMPLE}.greet")
