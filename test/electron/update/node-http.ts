/**
 * An HTTP client for electron-updater in tests. In the app, electron-updater downloads through
 * Electron's `net` (ElectronHttpExecutor), which it loads with `require('electron')` itself and which
 * no fake can stand in for; this does the same over Node's http, through electron-updater's own
 * download path (redirects, the sha512 DigestTransform, cancellation).
 */
import { request, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import {
  HttpExecutor,
  configureRequestOptions,
  configureRequestUrl,
  type DownloadOptions,
} from 'builder-util-runtime';

export class NodeHttpExecutor extends HttpExecutor<ClientRequest> {
  /** Every URL asked for, in order: tests check what was (and was not) downloaded. */
  readonly requested: string[] = [];

  createRequest(options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest {
    this.requested.push(`${options.hostname ?? ''}:${options.port ?? ''}${options.path ?? ''}`);
    return request(options, callback);
  }

  download(url: URL, destination: string, options: DownloadOptions): Promise<string> {
    return options.cancellationToken.createPromise((resolve, reject, onCancel) => {
      const requestOptions: RequestOptions = { headers: options.headers ?? undefined };
      configureRequestUrl(url, requestOptions);
      configureRequestOptions(requestOptions);
      this.doDownload(
        requestOptions,
        {
          destination,
          options,
          onCancel,
          // Called with undefined, not null, when the file is written (fs.WriteStream#close).
          callback: (error) => (error ? reject(error) : resolve(destination)),
          responseHandler: null,
        },
        0,
      );
    });
  }
}
