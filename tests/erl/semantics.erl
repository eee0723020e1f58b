%% semantics.erl — the scenarios of tests/unit/test_semantics.c, in Erlang.
%%
%% Each scenario runs in a fresh "subject" process (role `self`) that the
%% runner monitors. It returns an outcome term, which is printed as one
%% normalised line `name: outcome`: pids and refs become their role names
%% (self, child, b, ref, ...; `pid`/`otherref` when unknown), atoms print
%% bare, and an error reason {Reason, Stacktrace} prints as {Reason,stack}.
%% A subject that dies prints `name: died Reason`.
%%
%% Children follow one protocol (child/3): do Pre (none | trap), tell the
%% subject {ready, Child}, wait for `go`, then do Act. The C test mirrors
%% that protocol exactly.
%%
%% Run: erlc semantics.erl && erl -noshell -s semantics main
-module(semantics).
-export([main/0]).

main() ->
    logger:set_primary_config(level, none),
    [run(Name, Fun) || {Name, Fun} <- scenarios()],
    halt(0).

%% ---------------------------------------------------------------- runner --

run(Name, Fun) ->
    Before = erlang:processes(),
    Main = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
        put(roles, [{self(), self}]),
        Out = Fun(),
        Main ! {result, self(), fmt(Out)}
    end),
    Line = receive
        {result, Pid, Text} ->
            receive {'DOWN', Ref, _, _, _} -> ok end,
            Text;
        {'DOWN', Ref, process, Pid, Reason} ->
            "died " ++ fmt_reason(Reason, [])
    after 5000 -> "hang"
    end,
    io:format("~s: ~s~n", [Name, Line]),
    %% Like a fresh tapa_run: nothing the scenario started outlives it.
    [exit(P, kill) || P <- erlang:processes() -- Before],
    ok.

role(Term, Name) -> put(roles, [{Term, Name} | get(roles)]).

%% ------------------------------------------------------------- normalise --

fmt(T) -> lists:flatten(f(T, get(roles))).

f({'EXIT', P, R}, Roles) ->
    ["{EXIT,", f(P, Roles), ",", fmt_reason(R, Roles), "}"];
f({'DOWN', Ref, process, Who, R}, Roles) ->
    ["{DOWN,", f(Ref, Roles), ",process,", f(Who, Roles), ",", fmt_reason(R, Roles), "}"];
f(T, Roles) when is_pid(T) -> lookup(T, Roles, "pid");
f(T, Roles) when is_reference(T) -> lookup(T, Roles, "otherref");
f(T, _) when is_atom(T) -> atom_to_list(T);
f(T, _) when is_integer(T) -> integer_to_list(T);
f(T, _) when is_binary(T) -> ["\"", binary_to_list(T), "\""];
f(T, Roles) when is_tuple(T) -> ["{", join([f(E, Roles) || E <- tuple_to_list(T)]), "}"];
f(T, Roles) when is_list(T) -> ["[", join([f(E, Roles) || E <- T]), "]"].

fmt_reason({R, Stack}, _) when is_atom(R), is_list(Stack) ->
    case lists:all(fun(E) -> is_tuple(E) andalso tuple_size(E) =:= 4 end, Stack) of
        true -> lists:flatten(["{", atom_to_list(R), ",stack}"]);
        false -> lists:flatten(f({R, Stack}, []))
    end;
fmt_reason(R, Roles) -> lists:flatten(f(R, Roles)).

lookup(T, Roles, Default) ->
    case [N || {X, N} <- Roles, X =:= T] of
        [N | _] -> atom_to_list(N);
        [] -> Default
    end.

join([]) -> [];
join([H | T]) -> [H | [["," | E] || E <- T]].

%% --------------------------------------------------------------- helpers --

%% A child that does Pre, reports ready, waits for go, then does Act.
child(Pre, Act) -> child(spawn, Pre, Act).
lchild(Pre, Act) -> child(spawn_link, Pre, Act).
child(How, Pre, Act) ->
    Parent = self(),
    C = erlang:How(fun() -> child_body(Parent, Pre, Act) end),
    receive {ready, C} -> ok end,
    role(C, child),
    C.

child_body(Parent, Pre, Act) ->
    case Pre of
        trap -> process_flag(trap_exit, true);
        none -> ok
    end,
    Parent ! {ready, self()},
    receive go -> ok end,
    act(Parent, Act).

act(_, {exit, R}) -> exit(R);
act(Parent, {send_exit, Msgs, R}) -> [Parent ! M || M <- Msgs], exit(R);
act(Parent, {signal, Msgs, R}) -> [Parent ! M || M <- Msgs], exit(Parent, R), forever();
act(_, badarg) -> nobody ! hi;
act(_, {spawn_link_exit, R}) -> spawn_link(fun() -> exit(R) end), forever();
act(Parent, {spawn_link_forwarder_exit, R}) ->
    B = self(),
    spawn_link(fun() ->
        process_flag(trap_exit, true), B ! ready,
        receive M -> Parent ! {fwd, M} end, forever()
    end),
    receive ready -> ok end,
    exit(R);
act(Parent, {kill_linked, R, Msgs}) ->
    G = spawn_link(fun forever/0), exit(G, R), [Parent ! M || M <- Msgs], ok;
act(Parent, echo) -> receive M -> Parent ! {echo, M} end, forever();
act(Parent, {signal_between, Before, R, After}) ->
    [Parent ! M || M <- Before], exit(Parent, R), [Parent ! M || M <- After], forever();
act(Parent, {kill_linked_wait, R}) ->
    G = spawn_link(fun forever/0), exit(G, R), receive M -> Parent ! {got, M} end, forever();
act(Parent, {kill_linked_send, R, N}) ->
    G = spawn_link(fun forever/0), exit(G, R), [Parent ! {n, I} || I <- lists:seq(1, N)], forever();
act(_, {self_exit, R}) -> exit(self(), R), forever();
act(Parent, {link_exit, R}) -> link(Parent), exit(R);
act(Parent, {signal_exit, R, R2}) -> exit(Parent, R), exit(R2);
act(Parent, {junk, N, Ms}) ->
    [begin Parent ! {junk, I}, timer:sleep(Ms) end || I <- lists:seq(1, N)], forever();
act(Parent, {after_wait, T}) ->
    receive M -> Parent ! {echo, M} after T -> Parent ! timeout end, forever();
act(Parent, {sleep_echo, T}) ->
    T0 = erlang:monotonic_time(microsecond), timer:sleep(T),
    Slept = erlang:monotonic_time(microsecond) - T0 >= T * 1000,
    receive M -> Parent ! {echo, M, Slept} end, forever();
act(_, forever) -> forever().

forever() -> receive stop -> ok end.

go(C) -> C ! go.

monitor_role(C) ->
    Ref = erlang:monitor(process, C),
    role(Ref, ref),
    Ref.

trap() -> process_flag(trap_exit, true).

%% Every message that arrives until 50 ms pass without one.
settle() -> settle([]).
settle(Acc) ->
    receive M -> settle([M | Acc])
    after 50 -> lists:reverse(Acc)
    end.

%% A pid that has exited.
dead() ->
    {C, Ref} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    role(C, child),
    C.

down_order(DemonitorSome) ->
    C = child(none, {exit, boom}),
    Refs = [erlang:monitor(process, C) || _ <- lists:seq(1, 5)],
    [role(R, N) || {R, N} <- lists:zip(Refs, [ref1, ref2, ref3, ref4, ref5])],
    case DemonitorSome of
        true -> erlang:demonitor(lists:nth(2, Refs)), erlang:demonitor(lists:nth(4, Refs));
        false -> ok
    end,
    go(C), settle().

%% Only the messages of one sender (tag Tag, or an EXIT from C), in order.
from(L, Tag, C) ->
    [M || M <- L, element(1, M) =:= Tag orelse (element(1, M) =:= 'EXIT' andalso element(2, M) =:= C)].

busy(Ms) -> T = erlang:monotonic_time(microsecond) + Ms * 1000, spin(T).
spin(T) -> case erlang:monotonic_time(microsecond) >= T of true -> ok; false -> spin(T) end.

%% N times: compute for 20 ms, then wait Ms; true if every wait was >= Ms.
never_early(N, Ms, Wait) ->
    lists:all(fun(_) ->
        busy(20), T0 = erlang:monotonic_time(microsecond), Wait(Ms),
        erlang:monotonic_time(microsecond) - T0 >= Ms * 1000 end, lists:seq(1, N)).

%% Not a literal, so the compiler does not see the negative timeout.
negative() -> list_to_integer("-5").

%% ------------------------------------------------------------- scenarios --

scenarios() -> [
    %% A linked child exits with a reason; the subject traps or not.
    {link_normal_notrap, fun() ->
        C = lchild(none, {exit, normal}), monitor_role(C), go(C), settle() end},
    {link_normal_trap, fun() ->
        trap(), C = lchild(none, {exit, normal}), go(C), settle() end},
    {link_custom_notrap, fun() ->
        C = lchild(none, {exit, boom}), go(C), settle() end},
    {link_custom_trap, fun() ->
        trap(), C = lchild(none, {exit, boom}), go(C), settle() end},
    {link_tuple_reason_trap, fun() ->
        trap(), C = lchild(none, {exit, {shutdown, 42}}), go(C), settle() end},
    {link_error_trap, fun() ->
        trap(), C = lchild(none, badarg), go(C), settle() end},
    %% A linked child calls exit(kill) itself: over a link, kill is a plain reason.
    {link_exit_kill_notrap, fun() ->
        C = lchild(none, {exit, kill}), go(C), settle() end},
    {link_exit_kill_trap, fun() ->
        trap(), C = lchild(none, {exit, kill}), go(C), settle() end},
    %% The subject kills its linked child: the link carries killed.
    {link_killed_notrap, fun() ->
        C = lchild(none, forever), exit(C, kill), settle() end},
    {link_killed_trap, fun() ->
        trap(), C = lchild(none, forever), exit(C, kill), settle() end},
    %% Propagation along a chain subject - b - c.
    {link_chain_trap, fun() ->
        trap(), B = lchild(none, {spawn_link_exit, boom}), role(B, b), go(B), settle() end},
    {link_chain_kill_trap, fun() ->
        trap(), B = lchild(none, {spawn_link_exit, kill}), role(B, b), go(B), settle() end},
    {link_chain_normal_trap, fun() ->
        trap(), B = lchild(none, {spawn_link_exit, normal}), role(B, b), go(B), settle() end},
    %% Links work both ways: b's linked, trapping child g is told when b dies.
    {link_other_end_trap, fun() ->
        B = child(none, {spawn_link_forwarder_exit, boom}), role(B, b), go(B),
        settle() end},
    {link_other_end_normal_trap, fun() ->
        B = child(none, {spawn_link_forwarder_exit, normal}), role(B, b), go(B),
        settle() end},

    %% exit(self(), Reason).
    {exit_self_normal_notrap, fun() -> exit(self(), normal), settle() end},
    {exit_self_normal_trap, fun() -> trap(), exit(self(), normal), settle() end},
    {exit_self_custom_notrap, fun() -> exit(self(), boom), settle() end},
    {exit_self_custom_trap, fun() -> trap(), exit(self(), boom), settle() end},
    {exit_self_kill_notrap, fun() -> exit(self(), kill), settle() end},
    {exit_self_kill_trap, fun() -> trap(), exit(self(), kill), settle() end},

    %% exit(Subject, Reason) from another, unlinked process.
    {exit_other_normal_notrap, fun() ->
        C = child(none, {signal, [], normal}), go(C), settle() end},
    {exit_other_normal_trap, fun() ->
        trap(), C = child(none, {signal, [], normal}), go(C), settle() end},
    {exit_other_custom_notrap, fun() ->
        C = child(none, {signal, [], boom}), go(C), settle() end},
    {exit_other_custom_trap, fun() ->
        trap(), C = child(none, {signal, [], boom}), go(C), settle() end},
    {exit_other_kill_notrap, fun() ->
        C = child(none, {signal, [], kill}), go(C), settle() end},
    {exit_other_kill_trap, fun() ->
        trap(), C = child(none, {signal, [], kill}), go(C), settle() end},
    {exit_other_killed_trap, fun() ->
        trap(), C = child(none, {signal, [], killed}), go(C), settle() end},
    %% exit(Child, ...) on an unlinked child, watched by a monitor.
    {exit_child_normal_notrap, fun() ->
        C = child(none, forever), monitor_role(C), exit(C, normal),
        A = is_process_alive(C), {A, settle()} end},
    {exit_child_normal_trapping, fun() ->
        C = child(trap, echo), monitor_role(C), go(C), exit(C, normal), settle() end},
    {exit_child_kill_trapping, fun() ->
        C = child(trap, forever), monitor_role(C), exit(C, kill), settle() end},
    {exit_child_custom_trapping, fun() ->
        C = child(trap, echo), monitor_role(C), go(C), exit(C, boom), settle() end},
    {exit_dead_pid, fun() -> C = dead(), A = exit(C, boom), {A, settle()} end},

    %% Linking to a pid that is gone.
    {link_dead_notrap, fun() -> C = dead(), link(C), settle() end},
    {link_dead_trap, fun() -> trap(), C = dead(), A = link(C), {A, settle()} end},
    {link_self, fun() -> A = link(self()), {A, settle()} end},

    %% Monitors.
    {monitor_exit_normal, fun() ->
        C = child(none, {exit, normal}), monitor_role(C), go(C), settle() end},
    {monitor_exit_custom, fun() ->
        C = child(none, {exit, {shutdown, 42}}), monitor_role(C), go(C), settle() end},
    {monitor_killed, fun() ->
        C = child(none, forever), monitor_role(C), exit(C, kill), settle() end},
    {monitor_dead_pid, fun() -> C = dead(), monitor_role(C), settle() end},
    {monitor_dead_name, fun() ->
        monitor_role(nobody), settle() end},
    {monitor_name_live, fun() ->
        C = child(none, {exit, boom}), register(worker, C),
        monitor_role(worker), go(C), settle() end},
    {monitor_twice, fun() ->
        C = child(none, {exit, boom}),
        R1 = erlang:monitor(process, C), R2 = erlang:monitor(process, C),
        role(R1, ref1), role(R2, ref2), go(C), L = settle(),
        {length(L), lists:keymember(R1, 2, L), lists:keymember(R2, 2, L)} end},
    {spawn_monitor_normal, fun() ->
        {C, Ref} = spawn_monitor(fun() -> ok end), role(C, child), role(Ref, ref),
        settle() end},
    {demonitor_flush, fun() ->
        C = child(none, {exit, boom}), Ref = monitor_role(C), go(C),
        receive after 50 -> ok end,
        A = erlang:demonitor(Ref, [flush]), {A, settle()} end},
    {demonitor_noflush_after_down, fun() ->
        C = child(none, {exit, boom}), Ref = monitor_role(C), go(C),
        receive after 50 -> ok end,
        A = erlang:demonitor(Ref), {A, settle()} end},
    {demonitor_before_exit, fun() ->
        C = child(none, {exit, boom}), Ref = monitor_role(C),
        A = erlang:demonitor(Ref), go(C), {A, settle()} end},
    {demonitor_flush_keeps_others, fun() ->
        C = child(none, {send_exit, [m1, m2], boom}), Ref = monitor_role(C), go(C),
        receive after 50 -> ok end,
        A = erlang:demonitor(Ref, [flush]), {A, settle()} end},

    %% Order between two processes, messages and signals alike.
    {order_msgs_then_exit_trap, fun() ->
        trap(), C = lchild(none, {send_exit, [m1, m2], boom}), go(C), settle() end},
    {order_msgs_then_down, fun() ->
        C = child(none, {send_exit, [1, 2, 3], normal}), monitor_role(C), go(C), settle() end},
    {order_msg_then_exit_signal_trap, fun() ->
        trap(), C = child(none, {signal, [m1], boom}), go(C), settle() end},
    {order_msg_then_exit_signal_notrap, fun() ->
        C = child(none, {signal, [m1], boom}), go(C), settle() end},

    %% Exit signals are asynchronous: the sender goes on. Step 6's child1
    %% that kills its linked child2 itself, then returns, ends normal.
    {async_kill_linked_then_return, fun() ->
        C = child(none, {kill_linked, some_error, [m1, m2, m3]}), monitor_role(C), go(C),
        settle() end},
    {async_kill_linked_kill, fun() ->
        C = child(none, {kill_linked, kill, []}), monitor_role(C), go(C), settle() end},
    %% What the caller sends after its exit signal reaches a dead process.
    {monitor_after_exit_signal, fun() ->
        C = child(none, forever), exit(C, boom), monitor_role(C), settle() end},
    {link_after_exit_signal_trap, fun() ->
        trap(), C = child(none, forever), exit(C, boom), A = link(C), {A, settle()} end},
    {exit_signal_then_message_dropped, fun() ->
        C = child(trap, echo), monitor_role(C), exit(C, kill), C ! hi, settle() end},

    %% DOWN messages come in the order the monitors were made.
    {monitor_down_order, fun() -> down_order(false) end},
    {monitor_down_order_after_demonitor, fun() -> down_order(true) end},

    %% monitor({Name, Node}).
    {monitor_name_node_live, fun() ->
        C = child(none, {exit, boom}), register(worker, C),
        monitor_role({worker, node()}), go(C), settle() end},
    {monitor_name_node_dead, fun() -> monitor_role({nobody, node()}), settle() end},
    {monitor_name_other_node_not_alive, fun() -> monitor_role({nobody, 'x@nohost'}), settle() end},
    {monitor_bad_target, fun() -> monitor_role({1, node()}), settle() end},

    %% A negative timeout is an error (timeout_value), not a wait.
    {receive_negative_timeout, fun() -> T = negative(), receive x -> x after T -> timeout end end},
    {sleep_negative, fun() -> timer:sleep(negative()), ok end},

    %% ---- A sceptic's second round (issue 9): signals, monitors, timers.
    %% A kill overtakes nothing: what the caller sends after it is never seen.
    {kill_then_send_many, fun() ->
        C = child(trap, echo), monitor_role(C), exit(C, kill),
        [C ! {n, I} || I <- lists:seq(1, 100)], settle() end},
    %% Per pair: message, exit signal, message, in that order.
    {order_msg_exit_msg_trap, fun() ->
        trap(), C = child(none, {signal_between, [m1], boom, [m2]}), go(C), settle() end},
    {order_msg_exit_normal_msg_notrap, fun() ->
        C = child(none, {signal_between, [m1], normal, [m2]}), go(C), settle() end},
    {order_msg_exit_msg_notrap, fun() ->
        C = child(none, {signal_between, [m1], boom, [m2]}), go(C), settle() end},
    %% Two senders race: each one's order holds, whatever the interleaving.
    {two_senders_race_trap, fun() ->
        trap(),
        A = child(none, {signal_between, [{a, 1}, {a, 2}], a_done, [{a, 3}]}),
        B = child(none, {signal_between, [{b, 1}, {b, 2}], b_done, [{b, 3}]}),
        role(B, child2), go(A), go(B), L = settle(),
        {from(L, a, A), from(L, b, B)} end},
    {exit_normal_ignored_then_msg, fun() ->
        C = child(none, echo), monitor_role(C), go(C), exit(C, normal), C ! hi, settle() end},
    %% The echo of a link reaches the sender of exit/2 later, as a signal.
    {kill_linked_wait_notrap, fun() ->
        C = child(none, {kill_linked_wait, boom}), monitor_role(C), go(C), settle() end},
    {kill_linked_wait_kill_notrap, fun() ->
        C = child(none, {kill_linked_wait, kill}), monitor_role(C), go(C), settle() end},
    {kill_linked_wait_trap, fun() ->
        C = child(trap, {kill_linked_wait, boom}), monitor_role(C), go(C), settle() end},
    {kill_linked_wait_kill_trap, fun() ->
        C = child(trap, {kill_linked_wait, kill}), monitor_role(C), go(C), settle() end},
    {kill_linked_sends_many, fun() ->
        C = child(none, {kill_linked_send, boom, 300}), monitor_role(C), go(C),
        L = settle(), {length([x || {n, _} <- L]), [M || M <- L, element(1, M) =/= n]} end},
    %% A process that ends itself with exit(self(), R), seen over a link.
    {link_self_kill_trap, fun() ->
        trap(), C = lchild(none, {self_exit, kill}), go(C), settle() end},
    {link_self_kill_trapping_child, fun() ->
        trap(), C = lchild(trap, {self_exit, kill}), go(C), settle() end},
    {link_self_exit_boom_trap, fun() ->
        trap(), C = lchild(none, {self_exit, boom}), go(C), settle() end},
    {link_self_exit_normal_trap, fun() ->
        trap(), C = lchild(none, {self_exit, normal}), go(C), settle() end},
    %% Signals to a process that waits in receive ... after, or sleeps.
    {kill_blocked_in_after, fun() ->
        C = child(none, {after_wait, 10000}), monitor_role(C), go(C), exit(C, boom), settle() end},
    {exit_normal_trapping_blocked_in_after, fun() ->
        C = child(trap, {after_wait, 10000}), monitor_role(C), go(C), exit(C, normal), settle() end},
    {signal_sleeping, fun() ->
        C = child(none, {sleep_echo, 10000}), monitor_role(C), go(C), exit(C, boom), settle() end},
    {signal_sleeping_trapping, fun() ->
        C = child(trap, {sleep_echo, 100}), monitor_role(C), go(C), exit(C, boom),
        X = receive {echo, _, _} = E -> E after 2000 -> timeout end, {X, settle()} end},
    {exit_normal_sleeping_notrap, fun() ->
        C = child(none, {sleep_echo, 100}), monitor_role(C), go(C), exit(C, normal), C ! hi,
        X = receive {echo, _, _} = E -> E after 2000 -> timeout end, {X, settle()} end},
    %% Monitor a process that may already be gone: one DOWN, normal or noproc.
    {monitor_racing_exit, fun() ->
        C = spawn(fun() -> ok end), role(C, child), monitor_role(C), L = settle(),
        {length(L), [lists:member(element(5, D), [normal, noproc]) || D <- L]} end},
    {demonitor_twice_and_unknown, fun() ->
        C = child(none, forever), R = monitor_role(C),
        A = erlang:demonitor(R), B = erlang:demonitor(R, [flush]), D = erlang:demonitor(make_ref()),
        exit(C, kill), {A, B, D, settle()} end},
    {demonitor_flush_between_messages, fun() ->
        C = child(none, {exit, boom}), Ref = monitor_role(C), self() ! before, go(C),
        receive after 50 -> ok end,
        self() ! later, A = erlang:demonitor(Ref, [flush]), {A, settle()} end},
    {monitor_down_order_mixed, fun() ->
        C = child(none, {exit, boom}),
        R1 = erlang:monitor(process, C), R2 = erlang:monitor(process, C),
        R3 = erlang:monitor(process, C), erlang:demonitor(R1),
        R4 = erlang:monitor(process, C), erlang:demonitor(R3),
        R5 = erlang:monitor(process, C),
        [role(R, N) || {R, N} <- [{R1, ref1}, {R2, ref2}, {R3, ref3}, {R4, ref4}, {R5, ref5}]],
        go(C), settle() end},
    {monitor_down_order_name_and_pid, fun() ->
        C = child(none, {exit, boom}), register(worker, C),
        R1 = erlang:monitor(process, C), R2 = erlang:monitor(process, worker),
        R3 = erlang:monitor(process, {worker, node()}), R4 = erlang:monitor(process, C),
        [role(R, N) || {R, N} <- [{R1, ref1}, {R2, ref2}, {R3, ref3}, {R4, ref4}]],
        go(C), settle() end},
    %% A name monitor watches the process the name had when it was made.
    {monitor_name_unregistered_before_exit, fun() ->
        C = child(none, {exit, boom}), register(worker, C), monitor_role(worker),
        unregister(worker), go(C), settle() end},
    {monitor_name_reregistered, fun() ->
        C1 = child(none, {exit, one}), register(worker, C1), monitor_role(worker),
        unregister(worker), C2 = child(none, {exit, two}), role(C2, child2),
        register(worker, C2), go(C2), L1 = settle(), go(C1), {L1, settle()} end},
    %% trap_exit: a signal taken while trapping stays a message when it is turned off.
    {trap_off_after_exit_message, fun() ->
        trap(), C = child(none, {signal, [], boom}), go(C),
        receive after 50 -> ok end,
        A = process_flag(trap_exit, false), {A, settle()} end},
    %% Turned on while a signal may be on its way: died boom or the EXIT message.
    {trap_on_while_signal_pending, fun() ->
        Me = self(),
        {P, R} = spawn_monitor(fun() ->
            C = child(none, {signal, [], boom}), go(C), busy(20), trap(),
            Me ! {inner, settle()} end),
        receive
            {inner, [{'EXIT', _, boom}]} -> receive {'DOWN', R, _, _, _} -> ok end, allowed;
            {inner, L} -> {unexpected, length(L)};
            {'DOWN', R, process, P, boom} -> allowed;
            {'DOWN', R, process, P, Why} -> {died, Why}
        end end},
    %% A trapping target is not gone after exit/2: it took a message.
    {alive_after_signal_to_trapping, fun() ->
        C = child(trap, forever), monitor_role(C), exit(C, boom),
        A = is_process_alive(C), exit(C, normal), B = is_process_alive(C),
        {A, B, settle()} end},
    %% Two signals from one sender: the first one decides.
    {two_signals_first_wins, fun() ->
        C = child(none, forever), monitor_role(C), exit(C, boom), exit(C, kill), settle() end},
    {two_signals_normal_then_boom, fun() ->
        C = child(none, forever), monitor_role(C), exit(C, normal), exit(C, boom), settle() end},
    %% An exit signal, then the sender's own death, seen in that order.
    {signal_then_down_trap, fun() ->
        trap(), C = child(none, {signal_exit, normal, boom}), monitor_role(C), go(C), settle() end},
    {monitor_self, fun() ->
        R = erlang:monitor(process, self()), A = is_reference(R), {A, settle()} end},
    {demonitor_flush_name_down, fun() ->
        C = child(none, {exit, boom}), register(worker, C), Ref = monitor_role(worker), go(C),
        receive after 50 -> ok end,
        A = erlang:demonitor(Ref, [flush]), {A, settle()} end},
    %% A dying process signals its links before its monitors, whichever came first.
    {exit_and_down_link_first, fun() ->
        trap(), C = lchild(none, {exit, boom}), monitor_role(C), go(C), settle() end},
    {exit_and_down_monitor_first, fun() ->
        trap(), C = child(none, {link_exit, boom}), monitor_role(C), go(C), settle() end},
    {spawn_monitor_down_first, fun() ->
        {C, R0} = spawn_monitor(fun() -> receive go -> exit(boom) end end),
        role(C, child), role(R0, ref0), R1 = erlang:monitor(process, C), role(R1, ref1),
        go(C), settle() end},
    {timers_never_early_short, fun() ->
        A = never_early(5, 1, fun(Ms) -> receive x -> x after Ms -> ok end end),
        B = never_early(5, 1, fun timer:sleep/1),
        {A, B} end},
    %% Messages that do not match do not restart the `after` timer.
    {timeout_not_restarted_by_junk, fun() ->
        C = child(none, {junk, 20, 10}), go(C),
        T0 = erlang:monotonic_time(microsecond),
        X = receive x -> x after 100 -> timeout end,
        Early = erlang:monotonic_time(microsecond) - T0 < 100000,
        Seen = length([x || {junk, _} <- element(2, process_info(self(), messages))]),
        {X, Early, Seen < 20} end},

    %% Timeouts: 0 and 1 just look; huge ones are allowed up to 2^32-1 ms.
    {after_0_1_and_max, fun() ->
        A = receive x -> x after 0 -> timeout end,
        B = receive x -> x after 1 -> timeout end,
        self() ! x, C = receive x -> x after 0 -> timeout end,
        self() ! y, D = receive y -> y after 4294967295 -> timeout end,
        {A, B, C, D} end},
    {receive_timeout_too_large, fun() ->
        T = list_to_integer("4294967296"), receive x -> x after T -> timeout end end},
    %% Never early, even after the process computed for 20 ms.
    {timers_never_early_after_work, fun() ->
        A = never_early(5, 30, fun(Ms) -> receive x -> x after Ms -> ok end end),
        B = never_early(5, 30, fun timer:sleep/1),
        {A, B} end},

    %% Selective receive leaves what it does not match in place, in order.
    {selective_keeps_order, fun() ->
        [self() ! M || M <- [a, b, c, d]],
        X = receive c -> c end,
        L = settle(), {X, L} end},
    {selective_first_message_any_clause, fun() ->
        [self() ! M || M <- [x, c, b]],
        X = receive b -> b; c -> c end,
        L = settle(), {X, L} end},
    {selective_timeout_keeps_all, fun() ->
        [self() ! M || M <- [x, y]],
        X = receive z -> z after 0 -> timeout end,
        L = settle(), {X, L} end},
    {selective_save_point, fun() ->
        %% A receive that timed out, then another receive, then new mail.
        [self() ! M || M <- [x, y]],
        T1 = receive z -> z after 0 -> timeout end,
        X = receive x -> x end,
        self() ! z,
        T2 = receive z -> z after 0 -> timeout end,
        self() ! z,
        T3 = receive z -> z after 10 -> timeout end,
        L = settle(), {T1, X, T2, T3, L} end},
    {selective_save_point_tuple, fun() ->
        [self() ! M || M <- [{t, 1}, junk, {u, 1}]],
        A = receive {u, N} -> {u, N} after 0 -> timeout end,
        B = receive {u, N2} -> {u, N2} after 0 -> timeout end,
        self() ! {u, 2},
        C = receive {u, N3} -> {u, N3} after 0 -> timeout end,
        D = receive {t, N4} -> {t, N4} after 0 -> timeout end,
        L = settle(), {A, B, C, D, L} end},
    {selective_waiting_sees_new, fun() ->
        C = child(none, {send_exit, [junk1, junk2, {reply, 7}], normal}), go(C),
        X = receive {reply, N} -> {reply, N} after 1000 -> timeout end,
        L = settle(), {X, L} end},

    %% Sending.
    {send_unregistered_name, fun() -> nobody ! hi, settle() end},
    {send_name_node_unregistered, fun() -> A = {nobody, node()} ! hi, {A, settle()} end},
    {send_dead_pid, fun() -> C = dead(), A = C ! hi, {A, settle()} end},
    {send_registered, fun() ->
        C = child(none, echo), register(srv, C), go(C), srv ! hi, settle() end},
    {send_name_node_registered, fun() ->
        C = child(none, echo), register(srv, C), go(C), {srv, node()} ! hi, settle() end},
    {registered_name_freed_on_exit, fun() ->
        C = child(none, {exit, normal}), register(srv, C), monitor_role(C), go(C),
        Down = settle(),
        {is_pid(whereis(srv)), Down} end},

    %% unlink stops propagation.
    {unlink_notrap, fun() ->
        C = lchild(none, {exit, boom}), unlink(C), monitor_role(C), go(C), settle() end},
    {unlink_trap, fun() ->
        trap(), C = lchild(none, {exit, boom}), unlink(C), monitor_role(C), go(C),
        settle() end},
    {unlink_after_exit_delivered, fun() ->
        trap(), C = lchild(none, {exit, boom}), go(C),
        receive after 50 -> ok end,
        A = unlink(C), {A, settle()} end},
    {unlink_by_child, fun() ->
        C = lchild(none, forever), unlink(C), monitor_role(C), exit(C, kill), settle() end},

    %% Flags and liveness.
    {trap_exit_flag_returns_old, fun() ->
        A = process_flag(trap_exit, true), B = process_flag(trap_exit, true),
        C = process_flag(trap_exit, false), {A, B, C} end},
    {is_alive_after_exit, fun() ->
        C = child(none, {exit, normal}), monitor_role(C),
        A = is_process_alive(C), go(C), Down = settle(),
        {A, is_process_alive(C), Down} end}
].
