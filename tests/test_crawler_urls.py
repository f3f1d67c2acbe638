"""Canonical URLs (resource identity) and site facts: the rules of docs/reader.md.

URL forms follow the sites' own documentation: YouTube share/embed/shorts forms
(https://support.google.com/youtube/answer/171780), arXiv identifiers
(https://info.arxiv.org/help/arxiv_identifier.html), Kaggle's /code/ notebook URLs.
"""

from __future__ import annotations

import pytest

from crawler.urls import canonical_url, kind_of, site_id_of, site_of
from trilha.model import ResourceKind

VIDEO = "https://www.youtube.com/watch?v=AavXBoxTCIA"


@pytest.mark.parametrize("url", [
    "https://www.youtube.com/watch?app=desktop&v=AavXBoxTCIA",
    "https://youtu.be/AavXBoxTCIA",
    "https://youtu.be/AavXBoxTCIA?t=42&si=abc",
    "http://youtube.com/watch?v=AavXBoxTCIA&feature=share",
    "https://m.youtube.com/watch?v=AavXBoxTCIA&ab_channel=X",
    "https://www.youtube.com/embed/AavXBoxTCIA",
    "https://www.youtube.com/shorts/AavXBoxTCIA",
    "https://www.youtube.com/watch?v=AavXBoxTCIA&list=PL98nY_tJQXZnP-k3qCDd1hljVSciDV9_N&index=23",
    "https://www.youtube.com/watch?v=AavXBoxTCIA#t=1m",
])
def test_youtube_video_forms_are_one_video(url: str) -> None:
    assert canonical_url(url) == VIDEO
    assert site_id_of(url) == "youtube:AavXBoxTCIA"
    assert kind_of(url) is ResourceKind.VIDEO
    assert site_of(url) == "youtube"


def test_youtube_playlist_keeps_list_and_channels_keep_path() -> None:
    playlist = "https://www.youtube.com/playlist?app=desktop&list=PL98nY_tJQXZln8spB5uTZdKN08mYGkOf2"
    assert canonical_url(playlist) == "https://www.youtube.com/playlist?list=PL98nY_tJQXZln8spB5uTZdKN08mYGkOf2"
    assert kind_of(playlist) is ResourceKind.PLAYLIST
    assert site_id_of(playlist) == "youtube:playlist/PL98nY_tJQXZln8spB5uTZdKN08mYGkOf2"
    channel = "https://www.youtube.com/c/joshstarmer/playlists?app=desktop"
    assert canonical_url(channel) == "https://www.youtube.com/c/joshstarmer/playlists"
    assert kind_of(channel) is ResourceKind.CHANNEL
    assert site_id_of("https://www.youtube.com/@AICoffeeBreak/videos") == "youtube:@AICoffeeBreak"


@pytest.mark.parametrize("url", [
    "https://arxiv.org/pdf/1706.03762.pdf",
    "https://arxiv.org/pdf/1706.03762",
    "https://arxiv.org/pdf/1706.03762v5",
    "http://arxiv.org/abs/1706.03762v2",
    "https://export.arxiv.org/abs/1706.03762",
    "https://www.arxiv.org/abs/1706.03762#x",
])
def test_arxiv_forms_are_one_paper(url: str) -> None:
    assert canonical_url(url) == "https://arxiv.org/abs/1706.03762"
    assert site_id_of(url) == "arxiv:1706.03762"
    assert kind_of(url) is ResourceKind.PAPER


def test_arxiv_old_style_identifier() -> None:
    assert canonical_url("https://arxiv.org/pdf/hep-th/9901001v2.pdf") == "https://arxiv.org/abs/hep-th/9901001"
    assert site_id_of("https://arxiv.org/abs/math.CA/0611800v2") == "arxiv:math.CA/0611800"
    assert canonical_url("https://arxiv.org/pdf/1709.01507v4.pdf") == "https://arxiv.org/abs/1709.01507"
    # not a paper: the listing pages stay pages
    assert kind_of("https://arxiv.org/list/cs.LG/recent") is ResourceKind.PAGE


@pytest.mark.parametrize("url", [
    "https://www.kaggle.com/hinepo/pnad-lazy-predict",
    "https://kaggle.com/hinepo/pnad-lazy-predict/",
    "https://www.kaggle.com/code/hinepo/pnad-lazy-predict",
    "https://www.kaggle.com/code/hinepo/pnad-lazy-predict/notebook",
    "https://www.kaggle.com/hinepo/pnad-lazy-predict?scriptVersionId=33686389#notebook-container",
])
def test_kaggle_notebook_forms_are_one_notebook(url: str) -> None:
    assert canonical_url(url) == "https://www.kaggle.com/code/hinepo/pnad-lazy-predict"
    assert site_id_of(url) == "kaggle:code/hinepo/pnad-lazy-predict"
    assert kind_of(url) is ResourceKind.NOTEBOOK


def test_kaggle_competitions_datasets_courses_people() -> None:
    assert canonical_url("https://www.kaggle.com/c/titanic") == "https://www.kaggle.com/competitions/titanic"
    assert site_id_of("https://www.kaggle.com/competitions/titanic") == "kaggle:competitions/titanic"
    assert kind_of("https://www.kaggle.com/c/titanic") is ResourceKind.COMPETITION
    assert kind_of("https://www.kaggle.com/datasets/a/b") is ResourceKind.DATASET
    assert kind_of("https://www.kaggle.com/learn") is ResourceKind.COURSE
    assert canonical_url("https://www.kaggle.com/learn") == "https://www.kaggle.com/learn"
    assert kind_of("https://www.kaggle.com/paulojunqueira") is ResourceKind.PERSON


def test_github_owner_repo_case_git_and_slash() -> None:
    for url in ("https://github.com/Google/JAX", "https://github.com/google/jax.git",
                "https://www.github.com/google/jax/", "http://github.com/google/jax#readme"):
        assert canonical_url(url) == "https://github.com/google/jax"
        assert site_id_of(url) == "github:google/jax"
        assert kind_of(url) is ResourceKind.REPO
    blob = "https://github.com/abhishekkrthakur/approachingalmost/blob/master/AAAMLP.pdf"
    assert kind_of(blob) is ResourceKind.PDF
    assert kind_of("https://github.com/a/b/blob/main/x.py") is ResourceKind.CODE_FILE
    assert kind_of("https://github.com/ultralytics") is ResourceKind.PERSON
    assert site_id_of(blob) == "github:abhishekkrthakur/approachingalmost/blob/master/AAAMLP.pdf"
    assert site_id_of("https://github.com/rwightman/pytorch-image-models/tree/master/timm") == \
        "github:rwightman/pytorch-image-models/tree/master/timm"
    assert site_id_of("https://gist.github.com/karpathy/d4dee566867f8291f086") == "github:gist:d4dee566867f8291f086"


def test_twitter_and_x_are_one_site() -> None:
    assert canonical_url("https://twitter.com/JFPuget") == canonical_url("https://x.com/jfpuget")
    assert canonical_url("https://twitter.com/JFPuget") == "https://x.com/jfpuget"
    status = "https://twitter.com/marktenenholtz/status/1509500787189190658?s=20&t=abc"
    assert canonical_url(status) == "https://x.com/marktenenholtz/status/1509500787189190658"
    assert site_id_of(status) == "twitter:status/1509500787189190658"
    assert kind_of(status) is ResourceKind.POST
    assert kind_of("https://twitter.com/fchollet") is ResourceKind.PERSON
    assert site_id_of("https://x.com/i/web/status/1509500787189190658") == "twitter:status/1509500787189190658"
    assert kind_of("https://twitter.com/i/web/status/1509500787189190658") is ResourceKind.POST
    assert site_of("https://x.com/fchollet") == "twitter"


def test_generic_rules() -> None:
    # scheme/host lower-cased, default port dropped, query sorted, trackers dropped, fragment dropped
    assert canonical_url("HTTPS://Example.COM:443/a?b=2&utm_source=x&a=1&fbclid=z#frag") == \
        "https://example.com/a?a=1&b=2"
    assert canonical_url("http://example.com:8080/") == "http://example.com:8080/"
    assert canonical_url("https://example.com") == "https://example.com/"
    assert canonical_url("https://example.com/p?gclid=1&app=desktop") == "https://example.com/p"
    # app is only dropped when it says desktop; trailing slash kept on generic sites
    assert canonical_url("https://example.com/p/?app=mobile") == "https://example.com/p/?app=mobile"
    # percent-encoding normalised, not an identity change
    assert canonical_url("https://example.com/pr%c3%a1tica") == canonical_url("https://example.com/prática")


def test_canonical_never_raises_and_keeps_non_web() -> None:
    assert canonical_url("mailto:a@b.c") == "mailto:a@b.c"
    assert canonical_url("http://[::1") == "http://[::1"
    assert canonical_url("  https://example.com/x  ") == "https://example.com/x"


def test_site_and_kind_of_other_sites() -> None:
    assert site_of("https://medium.com/@ODSC/x-90e6cc364b0") == "medium"
    assert kind_of("https://towardsdatascience.com/stop-using-smote") is ResourceKind.POST
    assert kind_of("https://colab.research.google.com/github/ultralytics/yolov5/blob/master/tutorial.ipynb") \
        is ResourceKind.NOTEBOOK
    assert kind_of("https://jax.readthedocs.io/en/latest/") is ResourceKind.DOCS
    assert kind_of("https://pytorch.org/docs/stable/nn.html") is ResourceKind.DOCS
    assert kind_of("https://proceedings.neurips.cc/paper/2012/file/c3-Paper.pdf") is ResourceKind.PDF
    assert kind_of("https://user-images.githubusercontent.com/1/2.png") is ResourceKind.IMAGE
    assert site_of("https://www.sqlbi.com/x.pdf") == "sqlbi.com"
    assert site_id_of("https://www.sqlbi.com/x.pdf") is None
    assert site_of("docs/relative.md") is None


def test_w3lib_shortcut_agrees_with_w3lib() -> None:
    import re
    from pathlib import Path

    from crawler.urls import w3lib_canonical

    root = Path(__file__).resolve().parents[1]
    urls = set()
    for path in (root / "data" / "lists" / "trilha-ds.md", root / "tests" / "fixtures" / "lists" / "real-latest-2025-12.md"):
        urls |= set(re.findall(r"\]\((https?://[^)\s]+)\)", path.read_text(encoding="utf-8")))
    urls |= {"HTTP://Ex.COM:80/a", "https://ex.com", "https://ex.com/a/./b", "https://ex.com/../x", "https://u@ex.com/",
             "https://ex.com/a b", "https://ex.com/prática", "https://ex.com/a%2fb", "https://ex.com/a#f", "https://ex.com/{x}"}
    assert len(urls) > 450
    for url in urls:
        assert w3lib_canonical(url) == w3lib_canonical(url, fast=False), url


def _known_urls() -> set[str]:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    urls: set[str] = set()
    for path in (root / "data" / "lists" / "trilha-ds.md", root / "tests" / "fixtures" / "lists" / "real-latest-2025-12.md"):
        urls |= set(re.findall(r"\]\((https?://[^)\s]+)\)", path.read_text(encoding="utf-8")))
    return urls | {
        "HTTP://Ex.COM:80/a", "https://ex.com:8443/a", "https://u@ex.com/", "https://[::1]:8080/x", "https://ex.com/a b",
        "https://Ex.com/a/./b", "https://ex.com/prática", "https://ex.com/a%2fb#f", "https://GitHub.com/Google/JAX.git/",
        "https://www.youtube.com/@chan/", "https://youtu.be/dQw4w9WgXcQ?t=3", "https://x.com/Someone/status/1?s=20",
        "https://www.kaggle.com/hinepo/lazy-predict/notebook", "https://gist.github.com/u/abc", "mailto:a@b.c",
        "ftp://Ex.com/x", "https://ex.com/?utm_source=x&b=2&a=1", "http://[::1", "https://ex.com:99999/",
    }


def test_url_facts_is_the_four_functions_in_one_pass() -> None:
    from crawler.urls import url_facts

    for url in _known_urls():
        assert tuple(url_facts(url)) == (canonical_url(url), site_of(url), site_id_of(url), kind_of(url)), url


def test_canonical_shortcut_agrees_with_full_w3lib(monkeypatch: pytest.MonkeyPatch) -> None:
    """canonical_url skips re-parsing w3lib's answer for plain URLs; without the shortcut it is the same."""
    import crawler.urls as urls

    fast = {url: urls.canonical_url(url) for url in _known_urls()}
    monkeypatch.setattr(urls, "_simple_parts", lambda raw: None)
    assert {url: urls.canonical_url(url) for url in fast} == fast


def test_split_url_is_urlsplit() -> None:
    """The shortcut for plain http(s) URLs gives exactly what urllib.parse.urlsplit gives."""
    import random
    from urllib.parse import urlsplit

    from crawler.urls import split_url

    urls = [*_known_urls(), "https://u:p@h:80/p?q=1#f?g", "https://h?q/x#f", "https://h#f?x/y", "https://", "http://h/a?b?c"]
    rng = random.Random(5)
    alphabet = [*"abc/?#:@.%-_~!$&()*+,;=[]\\ \t\"<>", "http://", "https://", "HTTP://"]
    urls += [rng.choice(["http://", "https://", "HTTPS://", "http:/", ""]) +
             "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 15))) for _ in range(5000)]

    def split(how, url):  # noqa: ANN001, ANN202
        try:
            return how(url)
        except ValueError as exc:
            return str(exc)

    for url in urls:
        assert split(split_url, url) == split(urlsplit, url), url
