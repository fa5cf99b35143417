from __future__ import annotations

import pytest

from jaga import conf
from jaga.conf import ConfigError


def test_it_names_the_setting_and_hides_the_password_of_a_bad_database_url() -> None:
    with pytest.raises(ConfigError) as error:
        conf.read("DATABASE_URL", environ={"DATABASE_URL": "mysql://jaga:s3cr3t-pw@db.example:3306/jaga"})
    message = str(error.value)
    assert message.startswith("DATABASE_URL=")
    assert "s3cr3t-pw" not in message
    assert "jaga:***@db.example" in message


def test_it_reads_a_bare_port_as_a_loopback_listen_address() -> None:
    assert conf.read("JAGA_LISTEN", environ={"JAGA_LISTEN": "8080"}) == ("127.0.0.1", 8080)
    assert conf.read("JAGA_LISTEN", environ={"JAGA_LISTEN": "[::1]:8443"}) == ("::1", 8443)


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_it_refuses_a_web_thread_count_that_is_not_positive(value: str) -> None:
    with pytest.raises(ConfigError, match="JAGA_WEB_THREADS"):
        conf.read("JAGA_WEB_THREADS", environ={"JAGA_WEB_THREADS": value})


def test_it_uses_the_documented_default_when_a_setting_is_absent() -> None:
    assert conf.read("JAGA_PROCESSES", environ={}) == ["web", "probe", "worker", "scheduler"]
    assert conf.read("JAGA_SCHEDULER_INTERVAL", environ={}) == 5


def test_it_keeps_the_heartbeat_within_the_minute_after_which_a_process_is_taken_for_dead() -> None:
    assert conf.read("JAGA_HEARTBEAT_SECONDS", environ={}) == 10
    assert conf.read("JAGA_HEARTBEAT_SECONDS", environ={"JAGA_HEARTBEAT_SECONDS": "1"}) == 1
    for value in ("0", "21", "60", "sering"):
        with pytest.raises(ConfigError, match="JAGA_HEARTBEAT_SECONDS"):
            conf.read("JAGA_HEARTBEAT_SECONDS", environ={"JAGA_HEARTBEAT_SECONDS": value})
