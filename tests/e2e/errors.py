"""The two ways a scenario run can fail, kept apart because only one of them is retried."""


class InfraError(Exception):
    """The run failed for a reason other than flinkha: a port taken, a slow start, a download error.

    Such a run says nothing about flinkha's verdicts; the driver retries it once and says why.
    """


class VerdictError(Exception):
    """flinkha judged the logs of a real run differently from what the scenario made happen.

    This is the failure the harness exists to find: it is never retried.
    """
