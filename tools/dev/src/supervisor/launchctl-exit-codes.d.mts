/** Exit codes `launchctl` answers with (see docs/platform.md, "launchctl"). */
export declare const LAUNCHCTL_EXIT: Readonly<{
  noSuchFile: 2;
  noSuchProcess: 3;
  ioError: 5;
  fileExists: 17;
  inProgress: 36;
  alreadyInProgress: 37;
  usage: 64;
  noDomain: 112;
  notFound: 113;
  disabled: 119;
  badPermissions: 122;
  unsupportedDomain: 125;
  multipleErrors: 133;
}>;
