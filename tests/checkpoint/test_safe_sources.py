"""Source-level guards: no unsafe unpickling anywhere in what we ship,
and no environment variable pasted into config source."""
import re

from mmengine.config import Config

from tests.conftest import REPO

SHIPPED = ('gdkd_seg', 'tools', 'configs', 'benchmarks')


def python_files(*folders):
    for folder in folders:
        yield from sorted((REPO / folder).rglob('*.py'))


def test_nothing_we_ship_unpickles_with_weights_only_false():
    pattern = re.compile(r'weights_only\s*=\s*(False|0|None)\b')
    files = list(python_files(*SHIPPED))
    found = [f'{path.relative_to(REPO)}:{n}' for path in files
             for n, line in enumerate(path.read_text().splitlines(), 1)
             if pattern.search(line)]
    assert len(files) > 100 and not found, found


def test_no_config_pastes_an_environment_variable_into_its_source():
    """MMEngine's ``{{$VAR}}`` substitutes the text before the config is
    executed: a quote in the value is code. Environment reads in Python
    are data (tests/configs/tiny_seg.py). configs/demo: issue 20."""
    found = [str(path.relative_to(REPO))
             for path in python_files('configs', 'tests/configs')
             if '{{$' in path.read_text().replace(' ', '')
             and 'configs/demo' not in str(path)]
    assert not found, found


def test_a_quote_in_the_data_path_is_data(tmp_path, monkeypatch):
    marker = tmp_path / 'ran'
    root = f"x'+__import__('pathlib').Path({str(marker)!r}).touch()+'"
    monkeypatch.setenv('GDKD_TINY_DATA', root)
    cfg = Config.fromfile(str(REPO / 'tests' / 'configs' / 'tiny_gdkd.py'))
    assert not marker.exists()
    assert cfg.train_dataloader.dataset.data_root == root
    assert cfg.val_dataloader.dataset.data_root == root
