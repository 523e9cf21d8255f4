using KubeRescue.Cli;

// The process's standard streams, made once: the commands read and write only these.
var streams = Streams.FromConsole();
return await Plugin.InvokeAsync(CommandTree.Create(streams), args, streams);
