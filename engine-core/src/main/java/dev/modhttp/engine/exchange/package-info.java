/**
 * The request core, the same for every protocol (engine-internal): one
 * {@link dev.modhttp.engine.exchange.Exchange} per request, walked through the compiled
 * {@link dev.modhttp.engine.exchange.Pipeline} by the {@link dev.modhttp.engine.exchange.PhaseEngine},
 * finished by the {@link dev.modhttp.engine.exchange.Finalizer} (error pages, special responses),
 * its body read by {@link dev.modhttp.engine.exchange.RequestBody} and its response written by the
 * {@link dev.modhttp.engine.exchange.ResponseWriter} through the protocol's
 * {@link dev.modhttp.engine.exchange.Transport}. Modules never import this package.
 */
package dev.modhttp.engine.exchange;
