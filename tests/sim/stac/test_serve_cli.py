import argparse
import threading

from swathkit.cli.main import main


def test_sim_serve_landsatlook_prints_stac_login_and_ca(monkeypatch, capsys):
    import swathkit.sim.stac.server as server
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
    args = parser.parse_args(["serve", "--archive", "landsatlook", "--pixels", "500",
                              "--password", "pw"])
    assert args.run(args) == 0
    out = capsys.readouterr().out
    assert "/stac-server" in out and "/login" in out and "SWATHKIT_CA_BUNDLE=" in out


def test_sim_serve_landsatlook_refuses_a_tile_size_off_the_cloud_blocks(capsys):
    assert main(["sim", "serve", "--archive", "landsatlook", "--pixels", "150"]) == 2
    err = capsys.readouterr().err
    assert "--pixels 150" in err and len(err.strip().splitlines()) == 1
