"""gymkit envs in other RL frameworks, each adapter tested against the real library.

* `gymkit.integrations.trl`: `reward_funcs`, `dataset` and `environment_factory` for TRL's
  `GRPOTrainer`.
* `gymkit.integrations.verl`: `compute_score` for verl's `custom_reward_function`.
* `gymkit.integrations.verifiers`: a `verifiers` (v1) taskset, and `load_environment`.

Every adapter carries the whole gymkit task in the framework's row and scores by replaying
the framework's transcript through gymkit's own episode loop (`gymkit.env.play`), so reward
and status are gymkit's by construction; `gymkit conformance` checks that they stay so.
The frameworks themselves are optional: importing an adapter without its library raises
ModuleNotFoundError naming it.
"""
