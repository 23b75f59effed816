using CriO.Server.CommandLine;

var parsed = CrioCommandLine.Create().Parse(args);
return PlayForwarder.IsPlay(parsed)
    ? await PlayForwarder.RunAsync(args).ConfigureAwait(false)
    : await parsed.InvokeAsync().ConfigureAwait(false);
