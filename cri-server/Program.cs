using CriO.Server.CommandLine;

return await CrioCommandLine.Create().Parse(args).InvokeAsync().ConfigureAwait(false);
