"""Drives our worker with kafka-connect-py, an independent Kafka Connect REST client from
PyPI, unchanged: create -> status -> pause -> resume -> restart -> delete.

Usage: python client_lifecycle.py <worker URL> <input file> <output file>
"""

import sys
import time

from kafka_connect import KafkaConnect


def wait_for(what, check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def main():
    url, input_file, output_file = sys.argv[1:4]
    client = KafkaConnect(url=url)
    assert "version" in client.get_cluster_info()

    for name, config in [
        ("py-source", {"connector.class": "FileStreamSource", "file": input_file, "topic": "py"}),
        ("py-sink", {"connector.class": "FileStreamSink", "file": output_file, "topics": "py"}),
    ]:
        created = client.create_connector({"name": name, "config": config})
        assert created["name"] == name, created

    def state(name):
        return client.get_connector_status(name)["connector"]["state"]

    def task_state(name):
        tasks = client.get_connector_status(name)["tasks"]
        return tasks[0]["state"] if tasks else None

    wait_for("RUNNING", lambda: state("py-source") == "RUNNING" and task_state("py-source") == "RUNNING")
    wait_for("the sink to copy the file", lambda: len(lines(output_file)) == len(lines(input_file)))
    assert sorted(client.list_connectors()) == ["py-sink", "py-source"]
    assert client.list_connectors(expand="status")["py-source"]["status"]["type"] == "source"

    client.pause_connector("py-source")
    wait_for("PAUSED", lambda: state("py-source") == "PAUSED" and task_state("py-source") == "PAUSED")
    client.resume_connector("py-source")
    wait_for("RUNNING again", lambda: task_state("py-source") == "RUNNING")

    client.restart_connector("py-source")
    plan = client.restart_connector("py-source", include_tasks=True)
    assert plan["tasks"][0]["state"] == "RESTARTING", plan
    wait_for("RUNNING after restart", lambda: task_state("py-source") == "RUNNING")
    client.restart_connector_task("py-source", 0)
    wait_for("RUNNING after task restart", lambda: task_state("py-source") == "RUNNING")

    with open(input_file, "a") as f:
        f.write("after the restarts\n")
    wait_for("the new line", lambda: lines(output_file)[-1:] == ["after the restarts"])
    assert lines(output_file) == lines(input_file), "records lost or duplicated"

    assert client.validate_connector_config("FileStreamSink", {"name": "x"})["error_count"] > 0
    client.delete_connector("py-source")
    client.delete_connector("py-sink")
    assert client.list_connectors() == []
    print("kafka-connect-py drove the worker: ok")


if __name__ == "__main__":
    main()
