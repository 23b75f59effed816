using CriO.Bench;
using CriO.Bench.Sandbox;

// crio-bench NAME [runs]: each benchmark reports medians and the ratio ours/peer of one run.
var name = args.Length > 0 ? args[0] : "help";
var runs = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
switch (name)
{
    case "layer-apply":
        await LayerApplyBenchmark.RunAsync(runs, layerBytes: 100_000_000);
        return 0;
    case "pull":
        await PullBenchmark.RunAsync(runs);
        return 0;
    case "sandbox":
        return await SandboxBenchmark.RunAsync(args.Length > 1 ? runs : 50);
    case "container":
        return await ContainerBenchmark.RunAsync(args.Length > 1 ? runs : 50);
    case "exec":
        return await ExecBenchmark.RunAsync(args.Length > 1 ? runs : 50);
    case "monitor":
        return await CriO.Bench.Monitor.MonitorBenchmark.RunAsync(args.Length > 1 ? runs : 50);
    default:
        Console.Error.WriteLine("usage: crio-bench layer-apply|pull|sandbox|container|exec|monitor [runs]   (root: mounts a tmpfs)");
        return name == "help" ? 0 : 2;
}
