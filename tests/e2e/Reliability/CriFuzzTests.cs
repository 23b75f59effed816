using System.Collections;
using System.Globalization;
using System.Text;
using CriO.Cri;
using CriO.E2E.Tests.Fixtures;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace CriO.E2E.Tests.Reliability;

/// <summary>
/// Hostile input: random and mutated requests for every unary CRI call (typed messages filled
/// with nasty values, seeds from a real pod mutated, and raw bytes flipped), sent to a real
/// daemon with real runtimes. Each must get an answer with a status, none may be an internal
/// error for a request that parses, and the daemon must still be up at the end. A fixed seed
/// and count in CI; CRIO_FUZZ_COUNT (and CRIO_FUZZ_SEED) run more.
/// </summary>
/// <remarks>
/// Fields that would reach outside the test are tamed before sending, since the daemon does
/// what a valid request says: commands come from a short harmless list, host paths and log
/// folders stay under the test's folder, images are pulled only from loopback, and no host
/// ports, sysctls or device nodes are asked for.
/// </remarks>
public sealed class CriFuzzTests
{
    private const int DefaultCount = 1500;

    private static readonly string[] NastyStrings =
    [
        "", " ", "..", "../../../../etc/passwd", "/", "//", "/etc/shadow", "\0", "a\0b", "%s%n%x", "名前", "\u202e", "\ud83d\ude00",
        "-1", "0", "9999999999999999999999", "true", "null", "{}", "[]", "\n\r\t", "k8s_a_b_c_d_0", "a/b", "a_b", "A", "localhost/x:y",
        "sha256:", "sha256:" + new string('0', 64), new string('f', 64), new string('a', 253), new string('x', 5000),
    ];

    private static readonly string[][] HarmlessCommands = [["true"], ["sh", "-c", "exit 3"], ["/no/such/binary"], ["sleep", "1"], ["echo", "fuzz"], []];

    [Fact]
    public async Task Random_and_mutated_requests_all_get_a_status_and_the_daemon_stays_up()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("CRIO_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var n) ? n : DefaultCount;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CRIO_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 20261129;
        await using var setup = await ContainerHost.StartAsync();
        var fuzzer = await Fuzzer.StartAsync(setup, new Random(seed));
        var failures = new List<string>();
        var codes = new Dictionary<StatusCode, int>();
        try
        {
            for (var i = 0; i < count && failures.Count < 10; i++)
            {
                var (method, bytes, parses) = fuzzer.Next();
                var code = await fuzzer.SendAsync(method, bytes);
                codes[code] = codes.GetValueOrDefault(code) + 1;
                if (parses && code is StatusCode.Internal or StatusCode.Unknown)
                {
                    failures.Add($"#{i} {method.Name}: {code}: {fuzzer.LastDetail}\n  request: {Describe(method, bytes)}");
                }

                Assert.False(setup.Host.Crio.HasExited, $"crio exited after input #{i} ({method.Name}): {Describe(method, bytes)}");
            }

            await setup.Runtime.VersionAsync(new VersionRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
        }
        finally
        {
            await fuzzer.CleanUpAsync();
        }

        Assert.True(failures.Count == 0, $"status codes {string.Join(", ", codes.Select(c => $"{c.Key}={c.Value}"))}; failures:\n{string.Join("\n", failures)}");
    }

    private static string Describe(MethodDescriptor method, byte[] bytes)
    {
        try
        {
            var text = method.InputType.Parser.ParseFrom(bytes).ToString() ?? "";
            return text.Length > 600 ? text[..600] + "…" : text;
        }
        catch (InvalidProtocolBufferException)
        {
            return Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 64)));
        }
    }

    private sealed class Fuzzer
    {
        private readonly ContainerHost _setup;
        private readonly Random _random;
        private readonly CallInvoker _invoker;
        private readonly List<MethodDescriptor> _methods;
        private readonly Dictionary<string, List<IMessage>> _seeds = [];
        private readonly List<string> _ids = [];
        private readonly string _scratch;

        private Fuzzer(ContainerHost setup, Random random)
        {
            _setup = setup;
            _random = random;
            _invoker = setup.Host.Crio.Channel.CreateCallInvoker();
            _methods = [.. new[] { RuntimeService.Descriptor, ImageService.Descriptor }
                .SelectMany(service => service.Methods)
                .Where(m => !m.IsClientStreaming && !m.IsServerStreaming)];
            _scratch = Path.Combine(setup.Host.Folder.Root, "fuzz");
            Directory.CreateDirectory(_scratch);
        }

        public string LastDetail { get; private set; } = "";

        public static async Task<Fuzzer> StartAsync(ContainerHost setup, Random random)
        {
            var fuzzer = new Fuzzer(setup, random);
            var podConfig = setup.Host.PodConfig("fuzzseed");
            var pod = await setup.Host.RunAsync(podConfig);
            var container = new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = "seed" },
                Image = new ImageSpec { Image = setup.ImageName },
                Command = { "sleep", "600" },
                LogPath = "seed.log",
            };
            var id = await setup.StartAsync(pod, "seed", ["sleep", "600"]);
            var image = (await new ImageService.ImageServiceClient(setup.Host.Crio.Channel).ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = setup.ImageName } })).Image.Id;
            fuzzer._ids.AddRange([pod, id, image, id[..12], setup.ImageName]);
            fuzzer.Seed(new RunPodSandboxRequest { Config = podConfig });
            fuzzer.Seed(new CreateContainerRequest { PodSandboxId = pod, Config = container, SandboxConfig = podConfig });
            fuzzer.Seed(new StartContainerRequest { ContainerId = id });
            fuzzer.Seed(new ExecSyncRequest { ContainerId = id, Cmd = { "true" }, Timeout = 2 });
            fuzzer.Seed(new ExecRequest { ContainerId = id, Cmd = { "true" }, Stdout = true });
            fuzzer.Seed(new AttachRequest { ContainerId = id, Stdout = true });
            fuzzer.Seed(new PortForwardRequest { PodSandboxId = pod, Port = { 80 } });
            fuzzer.Seed(new UpdateContainerResourcesRequest { ContainerId = id, Linux = new LinuxContainerResources { CpuShares = 512, MemoryLimitInBytes = 256 << 20 } });
            fuzzer.Seed(new ContainerStatusRequest { ContainerId = id, Verbose = true });
            fuzzer.Seed(new PodSandboxStatusRequest { PodSandboxId = pod, Verbose = true });
            fuzzer.Seed(new ListContainersRequest { Filter = new ContainerFilter { PodSandboxId = pod, LabelSelector = { ["app"] = "fuzzseed" } } });
            fuzzer.Seed(new ListPodSandboxRequest { Filter = new PodSandboxFilter { Id = pod } });
            fuzzer.Seed(new ContainerStatsRequest { ContainerId = id });
            fuzzer.Seed(new PodSandboxStatsRequest { PodSandboxId = pod });
            fuzzer.Seed(new ReopenContainerLogRequest { ContainerId = id });
            fuzzer.Seed(new StopContainerRequest { ContainerId = id, Timeout = 1 });
            fuzzer.Seed(new ImageStatusRequest { Image = new ImageSpec { Image = setup.ImageName }, Verbose = true });
            fuzzer.Seed(new PullImageRequest { Image = new ImageSpec { Image = setup.ImageName } });
            return fuzzer;
        }

        /// <summary>The next input: a method, its request bytes, and whether they parse as its request type.</summary>
        public (MethodDescriptor Method, byte[] Bytes, bool Parses) Next()
        {
            var method = _methods[_random.Next(_methods.Count)];
            IMessage message;
            var roll = _random.NextDouble();
            if (roll < 0.5 && _seeds.TryGetValue(method.Name, out var seeds))
            {
                var seed = seeds[_random.Next(seeds.Count)];
                message = seed.Descriptor.Parser.ParseFrom(seed.ToByteArray());
                for (var k = _random.Next(1, 4); k > 0; k--)
                {
                    Mutate(message, depth: 0);
                }
            }
            else
            {
                message = method.InputType.Parser.ParseFrom([]);
                Fill(message, depth: 0);
            }

            Tame(method.Name, message);
            var bytes = message.ToByteArray();
            if (_random.NextDouble() < 0.1)
            {
                bytes = FlipBytes(bytes);
                try
                {
                    method.InputType.Parser.ParseFrom(bytes);
                    // Bytes that still parse may now say anything: tame them again through the parser.
                    var reparsed = method.InputType.Parser.ParseFrom(bytes);
                    Tame(method.Name, reparsed);
                    return (method, reparsed.ToByteArray(), true);
                }
                catch (InvalidProtocolBufferException)
                {
                    return (method, bytes, false);
                }
            }

            return (method, bytes, true);
        }

        public async Task<StatusCode> SendAsync(MethodDescriptor method, byte[] request)
        {
            var call = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Raw, Raw);
            try
            {
                using var response = _invoker.AsyncUnaryCall(call, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(20)), request);
                await response.ResponseAsync;
                LastDetail = "";
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                LastDetail = e.Status.Detail;
                return e.StatusCode;
            }
        }

        /// <summary>Removes every pod and container the inputs made (and the seeds), as the kubelet would.</summary>
        public async Task CleanUpAsync()
        {
            var runtime = _setup.Runtime;
            foreach (var container in (await runtime.ListContainersAsync(new ListContainersRequest())).Containers)
            {
                await runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = container.Id });
            }

            foreach (var pod in (await runtime.ListPodSandboxAsync(new ListPodSandboxRequest())).Items)
            {
                await runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = pod.Id });
                await runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = pod.Id });
            }
        }

        private static readonly Marshaller<byte[]> Raw = Marshallers.Create(bytes => bytes, bytes => bytes);

        private void Seed(IMessage message)
        {
            var name = _methods.First(m => m.InputType == message.Descriptor).Name;
            if (!_seeds.TryGetValue(name, out var list))
            {
                _seeds[name] = list = [];
            }

            list.Add(message);
        }

        private void Fill(IMessage message, int depth)
        {
            foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
            {
                if (_random.NextDouble() < 0.5)
                {
                    SetRandom(message, field, depth);
                }
            }
        }

        private void Mutate(IMessage message, int depth)
        {
            var fields = message.Descriptor.Fields.InDeclarationOrder();
            if (fields.Count == 0)
            {
                return;
            }

            var field = fields[_random.Next(fields.Count)];
            if (field.FieldType == FieldType.Message && !field.IsRepeated && !field.IsMap && _random.NextDouble() < 0.6 && depth < 4)
            {
                if (field.Accessor.GetValue(message) is not IMessage inner)
                {
                    inner = field.MessageType.Parser.ParseFrom([]);
                    field.Accessor.SetValue(message, inner);
                }

                Mutate(inner, depth + 1);
            }
            else if (_random.NextDouble() < 0.15)
            {
                field.Accessor.Clear(message);
            }
            else
            {
                SetRandom(message, field, depth);
            }
        }

        private void SetRandom(IMessage message, FieldDescriptor field, int depth)
        {
            if (field.IsMap)
            {
                var map = (IDictionary)field.Accessor.GetValue(message);
                var entry = field.MessageType;
                for (var i = _random.Next(0, 4); i > 0; i--)
                {
                    var key = Value(entry.FindFieldByNumber(1), depth + 1);
                    if (key is not null)
                    {
                        map[key] = Value(entry.FindFieldByNumber(2), depth + 1);
                    }
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)field.Accessor.GetValue(message);
                for (var i = _random.Next(0, 4); i > 0; i--)
                {
                    if (Value(field, depth + 1) is { } value)
                    {
                        list.Add(value);
                    }
                }
            }
            else if (Value(field, depth + 1) is { } value)
            {
                field.Accessor.SetValue(message, value);
            }
        }

        private object? Value(FieldDescriptor field, int depth) => field.FieldType switch
        {
            FieldType.String => String(),
            FieldType.Bytes => ByteString.CopyFrom(RandomBytes(_random.Next(0, 64))),
            FieldType.Bool => _random.Next(2) == 1,
            FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => Pick(0, -1, 1, int.MaxValue, int.MinValue, _random.Next(-1000, 70000)),
            FieldType.UInt32 or FieldType.Fixed32 => (uint)Pick(0, 1, int.MaxValue, _random.Next(0, 70000)) | (_random.Next(4) == 0 ? 0x80000000u : 0),
            FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => Pick(0L, -1L, 1L, long.MaxValue, long.MinValue, _random.NextInt64(-100_000, 10_000_000_000)),
            FieldType.UInt64 or FieldType.Fixed64 => (ulong)Pick(0L, 1L, long.MaxValue, _random.NextInt64(0, 10_000_000_000)),
            FieldType.Double => Pick(0.0, -1.0, double.NaN, double.MaxValue, _random.NextDouble()),
            FieldType.Float => Pick(0f, -1f, float.NaN, float.MaxValue, (float)_random.NextDouble()),
            FieldType.Enum => Pick(0, 1, 2, 3, 99, -1),
            FieldType.Message when depth < 4 => Message(field.MessageType, depth),
            _ => null,
        };

        private IMessage Message(MessageDescriptor type, int depth)
        {
            var message = type.Parser.ParseFrom([]);
            Fill(message, depth);
            return message;
        }

        private string String() => _random.Next(10) switch
        {
            < 4 => NastyStrings[_random.Next(NastyStrings.Length)],
            < 6 => _ids[_random.Next(_ids.Count)],
            < 7 => _ids[_random.Next(_ids.Count)] + NastyStrings[_random.Next(NastyStrings.Length)],
            < 9 => Encoding.ASCII.GetString(RandomBytes(_random.Next(1, 20)).Select(b => (byte)(32 + (b % 95))).ToArray()),
            _ => new string((char)_random.Next(0x20, 0xd7ff), _random.Next(1, 40)),
        };

        private T Pick<T>(params T[] values) => values[_random.Next(values.Length)];

        private byte[] RandomBytes(int length)
        {
            var bytes = new byte[length];
            _random.NextBytes(bytes);
            return bytes;
        }

        private byte[] FlipBytes(byte[] bytes)
        {
            var list = bytes.ToList();
            for (var k = _random.Next(1, 5); k > 0; k--)
            {
                switch (_random.Next(3))
                {
                    case 0 when list.Count > 0:
                        list[_random.Next(list.Count)] = (byte)_random.Next(256);
                        break;
                    case 1:
                        list.Insert(_random.Next(list.Count + 1), (byte)_random.Next(256));
                        break;
                    default:
                        if (list.Count > 0)
                        {
                            list.RemoveRange(_random.Next(list.Count), 1);
                        }

                        break;
                }
            }

            return [.. list];
        }

        /// <summary>Keeps a request from reaching outside the test (see the class remarks).</summary>
        private void Tame(string method, IMessage message)
        {
            switch (message)
            {
                case RunPodSandboxRequest run when run.Config is { } config:
                    TamePod(config);
                    break;
                case CreateContainerRequest create:
                    if (create.Config is { } container)
                    {
                        container.Command.Clear();
                        container.Command.AddRange(HarmlessCommands[_random.Next(HarmlessCommands.Length)]);
                        container.Args.Clear();
                        container.Devices.Clear();
                        container.CDIDevices.Clear();
                        foreach (var mount in container.Mounts)
                        {
                            mount.HostPath = Path.Combine(_scratch, "mounts", Path.GetFileName(mount.HostPath.Replace("\0", "", StringComparison.Ordinal)));
                        }
                    }

                    if (create.SandboxConfig is { } sandbox)
                    {
                        TamePod(sandbox);
                    }

                    break;
                case ExecSyncRequest exec:
                    exec.Cmd.Clear();
                    exec.Cmd.AddRange(HarmlessCommands[_random.Next(HarmlessCommands.Length)]);
                    exec.Timeout = Math.Clamp(exec.Timeout, -1, 2);
                    break;
                case ExecRequest exec:
                    exec.Cmd.Clear();
                    exec.Cmd.AddRange(HarmlessCommands[_random.Next(HarmlessCommands.Length)]);
                    break;
                case StopContainerRequest stop:
                    stop.Timeout = Math.Clamp(stop.Timeout, -1, 2);
                    break;
                case PullImageRequest pull when pull.Image is { } image && image.Image != _setup.ImageName:
                    // Nothing leaves the machine: anything but the test registry's image goes to a closed loopback port.
                    image.Image = "127.0.0.1:1/fuzz/" + Uri.EscapeDataString(image.Image);
                    pull.SandboxConfig = null;
                    break;
                case PullImageRequest pull:
                    pull.SandboxConfig = null;
                    break;
                case CheckpointContainerRequest checkpoint:
                    checkpoint.Location = Path.Combine(_scratch, "checkpoint.tar");
                    break;
            }

            _ = method;
        }

        private void TamePod(PodSandboxConfig config)
        {
            config.LogDirectory = config.LogDirectory.Length == 0 ? "" : Path.Combine(_scratch, "logs", _random.Next(1000).ToString(CultureInfo.InvariantCulture));
            foreach (var mapping in config.PortMappings)
            {
                mapping.HostPort = 0;
            }

            if (config.Linux is { } linux)
            {
                linux.Sysctls.Clear();
                linux.CgroupParent = linux.CgroupParent.Length == 0 ? "" : $"{_setup.Host.CgroupRoot}/fuzz{_random.Next(1000)}";
            }
        }
    }
}
