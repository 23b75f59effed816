using CriO.Server.CommandLine;
using CriO.Server.Play;

// The whole crio command line with the real `play` in it: crio passes its arguments unchanged.
return await CrioCommandLine.Create(PlayCommand.Create).Parse(args).InvokeAsync().ConfigureAwait(false);
