/** Output header and body filter chains, run as a response leaves. */
package dev.modhttp.engine.filter;
