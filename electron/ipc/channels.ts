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
  /** renderer -> main (invoke): join a link's swarm (settings as `node --join` sets them) and restart the node. */
  JoinLink = 'link:join',
  /** renderer -> main (invoke): the page listens for links; returns those that waited for it. */
  TakeLinks = 'link:take',
  /** main -> renderer (send): a peerstreamer: link the app was asked to open (clicked, or on the command line). */
  OpenLink = 'link:open',
  /** main -> renderer (send): show one of the player's pages (the menu's "Go live…"). */
  ShowPage = 'page:show',
  /** renderer -> main (invoke): the page listens for ShowPage; returns the pages asked for before it did. */
  TakePages = 'page:take',
}
