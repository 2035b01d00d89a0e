/** Every IPC channel in one place; nothing sends or handles a channel that is not listed here. */
export enum IpcChannel {
  /** renderer -> main (invoke): current settings and any load warnings. */
  GetSettings = 'settings:get',
  /** renderer -> main (invoke): validate, save and apply a settings patch. */
  SaveSettings = 'settings:save',
  /** renderer -> main (invoke): evict every unpinned chunk. */
  ClearCache = 'cache:clear',
  /** renderer -> main (invoke): show the Add video dialog. */
  PickVideos = 'videos:pick',
  /** renderer -> main (invoke): ingest files dropped on the window. */
  AddVideos = 'videos:add',
  /** renderer -> main (invoke): open an http(s) link in the browser. */
  OpenExternal = 'shell:open-external',
  /** main -> renderer (send): ingest progress. */
  IngestProgress = 'ingest:progress',
  /** renderer -> main (invoke): where the app's own update stands. */
  GetUpdateStatus = 'update:get-status',
  /** renderer -> main (invoke): restart into the downloaded update. */
  InstallUpdate = 'update:install',
  /** renderer -> main (invoke): whether a video is playing, so no update interrupts it. */
  ReportWatching = 'update:watching',
  /** main -> renderer (send): the update's status changed. */
  UpdateStatus = 'update:status',
}
