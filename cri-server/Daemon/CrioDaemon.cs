using System.Runtime.InteropServices;
using CriO.Cni;
using CriO.Image.Import;
using CriO.Image.Pull;
using CriO.Image.Registry;
using CriO.Server.Config;
using CriO.Server.Grpc;
using CriO.Server.Http2;
using CriO.Server.Images;
using CriO.Server.Logging;
using CriO.Server.Runtime;
using CriO.Server.Sandbox;
using CriO.Server.Sandbox.Cgroups;
using CriO.Storage.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace CriO.Server.Daemon;

/// <summary>
/// The long-lived crio process: Kestrel serving both CRI services over HTTP/2 on the unix
/// socket. SIGTERM and SIGINT stop it gracefully (in-flight calls finish within a bound, then
/// the socket is removed); SIGHUP reloads the configuration files and applies what can change
/// live.
/// </summary>
public static class CrioDaemon
{
    // How long in-flight calls may take to finish on shutdown before connections are cut.
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(LoadedConfig loaded, Func<LoadedConfig> reload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(reload);
        var config = loaded.Config;
        var socketPath = config.Api.Listen;
        var http1Socket = Inspect.Http1Bridge.Http1SocketOf(socketPath);
        var criSocketListeners = new ListenerMark();
        var levelSwitch = new LogLevelSwitch(LogLevelSwitch.Parse(config.Runtime.LogLevel));
        var messageFilter = new LogMessageFilter(config.Runtime.LogFilter);
        var daemon = new DaemonState(config);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        ConfigureLogging(builder.Logging, levelSwitch, messageFilter);
        builder.Services.AddSingleton(daemon);
        builder.Services.AddSingleton(TimeProvider.System);

        // The store is opened (and what a crash left repaired) before anything is served.
        var storage = ContainerStorage.Open(config.Root, config.RunRoot);
        builder.Services.AddSingleton(storage);
        builder.Services.AddSingleton<FilesystemUsageCache>();
        builder.Services.AddSingleton<ImageViews>();
        builder.Services.AddSingleton<ImageConfiguration>();
        builder.Services.AddSingleton(services => new ImageResolver(storage, services.GetRequiredService<ImageConfiguration>().Registries));
        builder.Services.AddSingleton(services =>
        {
            var images = services.GetRequiredService<ImageConfiguration>();
            GoDuration.TryParse(config.Image.ImagePullProgressTimeout, out var progressTimeout);
            var pullLogger = services.GetRequiredService<ILoggerFactory>().CreateLogger("crio.image");
            var puller = new ImagePuller(new ImageCommitter(storage), new RegistryClientOptions { ProgressTimeout = progressTimeout },
                Environment.GetEnvironmentVariable("CONTAINERS_CERTS_D") is { Length: > 0 } certs ? certs : "/etc/containers/certs.d",
                progress => ImageLog.Report(pullLogger, progress));
            return new ImagePullCoordinator(puller, images.Registries, images.Policy, images.AuthFile);
        });
        AddSandboxes(builder.Services, config);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<CriCallInterceptor>();
            o.MaxReceiveMessageSize = (int)Math.Min(config.Api.GrpcMaxRecvMsgSize, int.MaxValue);
            o.MaxSendMessageSize = (int)Math.Min(config.Api.GrpcMaxSendMsgSize, int.MaxValue);
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.ListenUnixSocket(socketPath, listen =>
            {
                // The kubelet speaks h2c with prior knowledge on the socket; HTTP/1.1 clients of
                // the inspect API are relayed to a listener of their own.
                listen.Protocols = HttpProtocols.Http2;
                Inspect.Http1Bridge.Use(listen, http1Socket);
                criSocketListeners.Apply(listen);
                listen.UseAuthorityRewriting();
            });
            kestrel.ListenUnixSocket(http1Socket, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                criSocketListeners.Apply(listen);
            });
            Streaming.StreamingServer.Listen(kestrel, config.Api);
        });
        Telemetry.DaemonTelemetry.Add(builder, config);

        await using var app = builder.Build();
        Telemetry.DaemonTelemetry.Map(app, config);
        Streaming.StreamingServer.Map(app);
        app.MapGrpcService<RuntimeService>();
        app.MapGrpcService<ImageService>();
        Inspect.InspectApi.Map(app, criSocketListeners);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("crio");
        foreach (var warning in loaded.Warnings)
        {
            DaemonLog.ConfigWarning(logger, warning.ToString());
        }

        foreach (var layer in storage.RemovedAtOpen)
        {
            DaemonLog.RemovedIncompleteLayer(logger, layer);
        }

        foreach (var line in StoreMaintenance.AtStart(config, storage))
        {
            DaemonLog.Maintenance(logger, line);
        }

        // Pods of an earlier daemon are known before the first call is answered.
        var network = app.Services.GetRequiredService<CniNetworkManager>();
        network.ReadinessChanged += readiness => SandboxLog.NetworkReadiness(logger, readiness.Ready, readiness.Message);
        network.Start();
        await app.Services.GetRequiredService<SandboxManager>().RecoverAsync().ConfigureAwait(false);
        await app.Services.GetRequiredService<Containers.ContainerManager>().RecoverAsync().ConfigureAwait(false);
        app.Services.GetRequiredService<Containers.ContainerManager>().WatchExits();

        await CriSocket.PrepareAsync(socketPath, cancellationToken).ConfigureAwait(false);
        CriSocket.Remove(http1Socket);
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
        {
            // Handled here: the default action of SIGHUP would end the process.
            signal.Cancel = true;
            Reload(reload, daemon, levelSwitch, messageFilter, logger);
        });

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            CriSocket.Secure(socketPath);
            File.SetUnixFileMode(http1Socket, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            daemon.MarkReady();
            SystemdNotify.Ready();
            DaemonLog.Serving(logger, CrioVersion.Current, socketPath, config.Runtime.CgroupManager, config.Runtime.DefaultRuntime);
            await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
            SystemdNotify.Stopping();
            DaemonLog.ShuttingDown(logger);
            StoreMaintenance.AtCleanShutdown(config);
        }
        finally
        {
            // WaitForShutdownAsync has stopped the host already; only the socket file is left.
            CriSocket.Remove(socketPath);
            CriSocket.Remove(http1Socket);
            DaemonLog.Stopped(logger, socketPath);
        }

        return 0;
    }

    private static void AddSandboxes(IServiceCollection services, CrioConfig config)
    {
        // The schema has checked the value; "0s" means no bound worth having: keep the default.
        if (!GoDuration.TryParse(config.Network.CniPluginTimeout, out var pluginTimeout) || pluginTimeout <= TimeSpan.Zero)
        {
            pluginTimeout = TimeSpan.FromSeconds(60);
        }

        services.AddSingleton<SandboxStore>();
        services.AddSingleton(services => new CniNetworkManager(
            new CniSettings(config.Network.NetworkDir, config.Network.PluginDirs, config.Network.CniDefaultNetwork, CniSettings.DefaultCacheDirectory, pluginTimeout),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("crio.cni"),
            TimeProvider.System));
        services.AddSingleton(PodCgroupManagers.For(config.Runtime.CgroupManager));
        services.AddSingleton(new NamespacePinner(
            NamespacePinner.Locate(config.Runtime.PinnsPath, NamespacePinner.PinnsBinary), config.Runtime.NamespacesDir, TimeSpan.FromSeconds(30)));
        services.AddSingleton<SandboxManager>();
        services.AddSingleton<Containers.ContainerEvents>();
        services.AddSingleton<Containers.ContainerStore>();
        services.AddSingleton<Containers.ContainerManager>();
        services.AddSingleton<Stats.StatsCollector>();
        services.AddSingleton<Streaming.StreamRequestCache>();
        services.AddSingleton<Streaming.StreamingServer>();
    }

    /// <summary>
    /// crio's own messages at the configured level; the framework's (a line per HTTP request,
    /// which the kubelet's polling would turn into noise) only at debug and below, or warnings.
    /// </summary>
    public static void ConfigureLogging(ILoggingBuilder logging, LogLevelSwitch levelSwitch, LogMessageFilter messageFilter)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(levelSwitch);
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Trace);
        logging.AddFilter((_, category, level) => levelSwitch.IsEnabled(level) && (level >= LogLevel.Warning
            || levelSwitch.Level <= LogLevel.Debug
            || category is null
            || !category.StartsWith("Microsoft.", StringComparison.Ordinal)));
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffffffZ ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });

        // Logs go to stderr, as for any daemon; stdout stays free for command output.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

        // log_filter needs the message text, which only a provider sees: the console provider
        // is registered on its own and handed out wrapped.
        var console = logging.Services.Single(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider));
        logging.Services.Remove(console);
        logging.Services.AddSingleton<ConsoleLoggerProvider>();
        logging.Services.AddSingleton<ILoggerProvider>(services => new FilteringLoggerProvider(services.GetRequiredService<ConsoleLoggerProvider>(), messageFilter));
    }

    private static void Reload(Func<LoadedConfig> reload, DaemonState daemon, LogLevelSwitch levelSwitch, LogMessageFilter messageFilter, ILogger logger)
    {
        try
        {
            SystemdNotify.Reloading();
            var reloaded = reload();
            foreach (var warning in reloaded.Warnings)
            {
                DaemonLog.ConfigWarning(logger, warning.ToString());
            }

            var result = ConfigReload.Apply(daemon.Config, reloaded.Config);
            levelSwitch.Level = LogLevelSwitch.Parse(result.Config.Runtime.LogLevel);
            messageFilter.Set(result.Config.Runtime.LogFilter);
            daemon.ReplaceConfig(result.Config);
            foreach (var key in result.Applied)
            {
                DaemonLog.ReloadApplied(logger, key);
            }

            foreach (var key in result.NeedRestart)
            {
                DaemonLog.ReloadNeedsRestart(logger, key);
            }

            DaemonLog.Reloaded(logger, result.Config.Runtime.LogLevel);
        }
        catch (ConfigException e)
        {
            DaemonLog.ReloadFailed(logger, e.Message);
        }
        finally
        {
            SystemdNotify.Reloaded();
        }
    }
}
