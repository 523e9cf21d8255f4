// These tests drive POSIX processes and signals (kill -TERM), and kubectl binaries installed for Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
