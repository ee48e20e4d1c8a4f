"""dashboard.state: view state <-> URL query parameters (pure, no Streamlit)."""
from __future__ import annotations

import datetime as dt

from dashboard import state as vs


def test_default_state_has_empty_params():
    assert vs.to_params(vs.default_state()) == {}
    state, problems = vs.from_params({})
    assert state == vs.default_state() and problems == []


def test_state_round_trips():
    state = vs.default_state()
    state.update(src="/data/news", k=7, start=dt.date(2024, 6, 1), end=dt.date(2024, 7, 31),
                 topics=[3, 0], sent=(-0.5, 0.25), q="Ukraine war", freq="week", roll=5,
                 split=True, track="oil price", map="sentiment",
                 cmp_a=(dt.date(2024, 6, 1), dt.date(2024, 6, 30)),
                 cmp_b=(dt.date(2024, 7, 1), dt.date(2024, 7, 31)), names={0: "Floods & storms", 3: "Élections"}, art="news-01", tab="Topics")
    params = vs.to_params(state)
    assert all(isinstance(v, str) for v in params.values())
    assert params["topics"] == "0,3" and params["sent"] == "-0.5,0.25"
    assert params["cmp_a"] == "2024-06-01:2024-06-30" and params["cmp_b"] == "2024-07-01:2024-07-31"
    back, problems = vs.from_params(params)
    assert problems == []
    assert back == {**state, "topics": [0, 3]}


def test_from_params_ignores_and_reports_bad_values():
    state, problems = vs.from_params({"k": "99", "start": "yesterday", "sent": "0.5,-0.5",
                                      "freq": "decade", "topics": "1,x", "names": "[1]",
                                      "roll": "0", "tab": "Nope", "other": "kept out",
                                      "split": "yes", "map": "globe",
                                      "cmp_a": "2024-07-01:2024-06-01", "cmp_b": "June"})
    assert state["k"] is None and state["start"] is None and state["sent"] == (-1.0, 1.0)
    assert state["freq"] == "auto" and state["topics"] == [1] and state["names"] == {}
    keys = sorted(p.split(":")[0] for p in problems)
    assert keys == ["cmp_a", "cmp_b", "freq", "k", "map", "names", "roll", "sent", "split", "start", "tab",
                    "topics"]
    assert state["split"] is False and state["map"] == "topics"
    assert state["cmp_a"] is None and state["cmp_b"] is None


def test_from_params_accepts_lists_from_parse_qs():
    state, _ = vs.from_params({"q": ["a", "b"], "k": ["5"]})
    assert state["q"] == "b" and state["k"] == 5


def test_end_before_start_dropped():
    state, problems = vs.from_params({"start": "2024-06-10", "end": "2024-06-01"})
    assert state["start"] == dt.date(2024, 6, 10) and state["end"] is None
    assert problems and problems[0].startswith("end")


def test_filter_kwargs_and_clear():
    state = vs.default_state()
    assert vs.filter_kwargs(state) == {"start": None, "end": None, "topics": None,
                                       "sentiment": None, "keyword": None, "outlets": None}
    assert not vs.is_filtered(state)
    state.update(topics=[2], sent=(0.0, 1.0), q=" vote ")
    kw = vs.filter_kwargs(state)
    assert kw["topics"] == [2] and kw["sentiment"] == (0.0, 1.0) and kw["keyword"] == "vote"
    assert vs.is_filtered(state)
    assert not vs.is_filtered(vs.clear_filters(state))


def test_the_topic_numbers_offered_are_those_the_model_can_choose():
    from analysis.topics import K_MAX, auto_k_range

    assert vs.K_MAX == K_MAX == auto_k_range(10**6)[1]
    assert vs.from_params({"k": str(K_MAX)})[0]["k"] == K_MAX
    state, problems = vs.from_params({"k": str(K_MAX + 1)})
    assert state["k"] is None and problems


def test_outlets_round_trip_filter_and_clear():
    state = vs.default_state()
    state.update(outlets=["Wire", "Herald"], topics=[1], tab="Outlets")
    params = vs.to_params(state)
    assert params["outlets"] == "Herald,Wire" and params["tab"] == "Outlets"
    back, problems = vs.from_params(params)
    assert problems == [] and back == {**state, "outlets": ["Herald", "Wire"]}
    assert vs.filter_kwargs(back)["outlets"] == ["Herald", "Wire"]
    assert vs.is_filtered({**vs.default_state(), "outlets": ["Wire"]})
    cleared = vs.clear_filters(back)
    assert cleared["outlets"] == [] and "outlets" not in vs.to_params(cleared)
    assert vs.TABS.index("Outlets") == vs.TABS.index("Topics") + 1


def test_awkward_outlet_names_survive_the_url():
    # a comma, the unknown outlet (""), a leading bracket, spaces at an end
    names = ["Reuters, London", "", "[AP]", " Daily "]
    params = vs.to_params({**vs.default_state(), "outlets": names})
    assert params["outlets"].startswith("[")
    back, problems = vs.from_params(params)
    assert problems == [] and back["outlets"] == sorted(names)
    assert vs.from_params({"outlets": " Wire , Herald,,"})[0]["outlets"] == ["Herald", "Wire"]
    state, problems = vs.from_params({"outlets": "[1, 2"})
    assert state["outlets"] == [] and problems[0].startswith("outlets")
