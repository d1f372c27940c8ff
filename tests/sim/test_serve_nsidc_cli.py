"""``swathkit sim serve --archive nsidc`` says where it is and what to set, then stops."""

import argparse
import threading

from swathkit.cli.main import main


def test_sim_serve_nsidc_prints_cmr_login_datapool_and_environment(monkeypatch, capsys):
    import swathkit.sim.nsidc.server as server
    from swathkit.sim.cli_serve import add_serve

    real = server.serve_forever

    def once(*, on_ready, **options):  # the real server, stopped once it said where it is
        stop = threading.Event()

        def ready(sim):
            on_ready(sim)
            stop.set()
        return real(on_ready=ready, stop=stop, **options)

    monkeypatch.setattr(server, "serve_forever", once)
    parser = argparse.ArgumentParser()
    add_serve(parser.add_subparsers())
    args = parser.parse_args(["serve", "--archive", "nsidc", "--pixels", "8",
                              "--password", "pw"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "SWATHKIT_CMR_URL=https://127.0.0.1:" in out and "SWATHKIT_NSIDC_DATAPOOL_URL=" in out
    assert "SWATHKIT_CA_BUNDLE=" in out and "served 0 CMR requests" in out


def test_sim_serve_nsidc_refuses_a_file_size_below_one_pixel(capsys):
    assert main(["sim", "serve", "--archive", "nsidc", "--pixels", "0"]) == 2
    err = capsys.readouterr().err
    assert "--pixels 0" in err and len(err.strip().splitlines()) == 1
