/** Output header and body filters, run as a response leaves, and their definitions (order and name). */
package dev.modhttp.engine.filter;
