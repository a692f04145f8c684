import { serviceLabel } from '../checkout/service-identity.js';
import { SERVICES } from '../services/manifest.js';
import { parsePrintDisabled } from '../supervisor/parse-print-disabled.js';
import { DEFAULT_LAUNCHCTL } from '../supervisor/platform.js';
import { findProtectedFolder, protectedFolderAdvice } from '../supervisor/protected-folder.js';
import { createSupervisor } from '../supervisor/select-supervisor.js';
import { type CheckResult, type DoctorCheck, fail, ok, warn } from './doctor-check.js';
import { realPathOf } from './doctor-context.js';

/**
 * launchd (macOS, or the fake launchctl elsewhere): the domain the agents go to and why (console
 * session, SSH, sudo, uid != euid), a checkout in a privacy-protected folder, and `print-disabled`
 * entries for this checkout's labels.
 */
export const launchdCheck: DoctorCheck = {
  id: 'launchd',
  async run({ checkout, platform, runner, nodePath }) {
    if (platform.platform !== 'darwin' && platform.launchctlPath === DEFAULT_LAUNCHCTL) return [];
    const lines: CheckResult[] = [];
    const folder = findProtectedFolder(realPathOf(checkout.root), platform.home);
    if (folder) {
      lines.push(
        warn(
          'launchd.folder',
          `the checkout lies in ${folder.name} (${folder.path}): LaunchAgents cannot read it without a privacy grant, so pnpm start uses the process backend`,
          `${protectedFolderAdvice(folder, nodePath)}.`,
        ),
      );
    } else lines.push(ok('launchd.folder', 'the checkout is outside the privacy-protected folders'));

    // The preflight asks `launchctl print <domain>` and falls back to user/<uid> without a GUI session.
    const supervisor = createSupervisor('launchd', { checkout, platform, runner });
    const preflight = await supervisor.preflight();
    const chosen = platform.launchdDomain;
    if (!preflight.ok && !folder) {
      lines.push(
        fail(
          'launchd.domain',
          `launchd does not answer: ${preflight.reason}`,
          'Run `pnpm start` from a terminal on the Mac itself, or use `NEXU_DEV_BACKEND=process`.',
        ),
      );
      return lines;
    }
    if (preflight.ok && preflight.notice) {
      lines.push(
        warn(
          'launchd.domain',
          `${preflight.notice.replace(/^launchd: /, '').replace(/\.$/, '')}: agents run without the GUI session's privacy grants and keychain`,
          'Nothing blocks pnpm start; to run them in your GUI session, run pnpm from a terminal on the Mac while you are logged in at its screen (not over SSH or sudo).',
        ),
      );
    } else if (!folder) lines.push(ok('launchd.domain', `agents go to ${chosen.domain} (your GUI session)`));

    const domain = preflight.ok && preflight.notice ? platform.userDomain : chosen.domain;
    const listed = await runner([platform.launchctlPath, 'print-disabled', domain]);
    if (listed.exitCode !== 0) {
      lines.push(
        ok(
          'launchd.disabled',
          `\`launchctl print-disabled ${domain}\` exited ${listed.exitCode}: ${listed.stderr.trim()}`,
        ),
      );
      return lines;
    }
    const overrides = parsePrintDisabled(listed.stdout);
    const disabled = SERVICES.map((spec) => serviceLabel(spec.name, checkout.id)).filter(
      (label) => overrides.get(label) === true,
    );
    lines.push(
      disabled.length === 0
        ? ok('launchd.disabled', `no label of this checkout is disabled in ${domain}`)
        : warn(
            'launchd.disabled',
            `disabled in ${domain}: ${disabled.join(', ')} (launchd refuses to load them; pnpm start enables them when a bootstrap is refused)`,
            disabled.map((label) => `launchctl enable ${domain}/${label}`).join(' && '),
          ),
    );
    return lines;
  },
};
