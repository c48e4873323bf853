from hachaos.workloads.rabbitmq import DrainLog


def test_redelivery_of_a_recorded_id_is_not_a_duplicate() -> None:
    log = DrainLog()
    log.add("l:1", redelivered=False)
    log.add("l:2", redelivered=False)
    log.add("l:1", redelivered=True)  # its ack was lost with the connection
    assert log.keys == ["l:1", "l:2"]


def test_a_second_copy_delivered_fresh_is_a_duplicate() -> None:
    log = DrainLog()
    log.add("l:1", redelivered=False)
    log.add("l:1", redelivered=False)  # enqueued twice
    log.add("l:3", redelivered=True)  # redelivered, but never recorded: keep it
    assert log.keys == ["l:1", "l:1", "l:3"]
