using CriO.Pinns;

// crio-pinns: see README.md for the command line and CommandLine.cs for its checks.
// Exit codes: 0 done (one JSON line on stdout), 1 failed (all undone, message on stderr),
// 2 command line refused (nothing done).
CommandLine command;
try
{
    command = CommandLine.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"crio-pinns: {e.Message}");
    Console.Error.WriteLine(CommandLine.Usage);
    return 2;
}

try
{
    if (command.Remove)
    {
        PinRemover.Remove(command.Directory, command.File);
        return 0;
    }

    new SandboxPinner(command).Run(Console.Out);
    return 0;
}
catch (Exception e)
{
    // Any failure: the undo steps have run (SandboxPinner); say why, exit 1.
    Console.Error.WriteLine($"crio-pinns: {e.Message}");
    return 1;
}
